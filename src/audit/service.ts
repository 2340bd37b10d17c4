// `quire audit`: checks the whole database's invariants and reports what differs. Each check reads in
// one consistent snapshot, so a busy server does not produce false differences. Features with their own
// invariants of their own add checks with `register`.
import type { Database, Trx } from "../db/database.js";
import { formatMoney } from "../kernel/money.js";
import * as q from "./queries.js";

export interface AuditCheck {
  /** A short kebab-case name, printed with the result. */
  name: string;
  /** What the check proves, in a few words. */
  summary: string;
  /** The differences found (one line each, at most `limit`); empty when the invariant holds. */
  run(trx: Trx, limit: number): Promise<string[]>;
}

export interface AuditResult {
  name: string;
  summary: string;
  differences: string[];
}

export interface AuditReport {
  ok: boolean;
  results: AuditResult[];
  accounts: number;
  ledgerRows: number;
}

const money = (micros: number) => formatMoney(micros);

function describeAccount(a: { id: number; account_type: string; name: string; user_id: number | null; sub_name: string }): string {
  if (a.account_type === "shared") return `shared account ${a.name} (id ${a.id})`;
  return `personal account ${a.sub_name === "" ? "(default)" : a.sub_name} of user id ${a.user_id} (id ${a.id})`;
}

export const CORE_CHECKS: readonly AuditCheck[] = [
  {
    name: "balances-match-ledger",
    summary: "every account's balance equals the sum of its ledger rows",
    async run(trx, limit) {
      const rows = await q.selectBalancesOffLedger(trx, limit);
      return rows.map((r) => `${describeAccount(r)}: balance ${money(Number(r.balance))} but ledger sum ${money(Number(r.ledger_total))}`);
    },
  },
  {
    name: "ledger-chains",
    summary: "each ledger row's balance_after is the running sum of its account's amounts",
    async run(trx, limit) {
      const rows = await q.selectBrokenChains(trx, limit);
      return rows.map((r) => `account id ${r.account_id}: ledger row ${r.id} says balance_after ${money(r.balance_after)}, running sum is ${money(r.running)}`);
    },
  },
  {
    name: "no-orphan-ledger-rows",
    summary: "every ledger row belongs to an existing account",
    async run(trx, limit) {
      return (await q.selectLedgerWithoutAccount(trx, limit)).map((r) => `ledger row ${r.id} names account id ${r.account_id}, which does not exist`);
    },
  },
  {
    name: "no-orphan-accounts",
    summary: "personal accounts have a user; child accounts have a parent",
    async run(trx, limit) {
      const personal = (await q.selectPersonalAccountsWithoutUser(trx, limit)).map((r) => `personal account id ${r.id} names user id ${r.user_id}, which does not exist`);
      const children = (await q.selectChildAccountsWithoutParent(trx, limit)).map((r) => `shared account ${r.name} (id ${r.id}) names parent id ${r.parent_id}, which does not exist`);
      return [...personal, ...children].slice(0, limit);
    },
  },
  {
    name: "users-have-accounts",
    summary: "every live user has a default personal account",
    async run(trx, limit) {
      return (await q.selectUsersWithoutAccount(trx, limit)).map((r) => `user ${r.username} (id ${r.id}) has no default personal account`);
    },
  },
  {
    name: "job-charges-match-ledger",
    summary: "each job's charged amount equals what its ledger rows took; every job row named by the ledger exists",
    async run(trx, limit) {
      const off = (await q.selectJobsOffLedger(trx, limit)).map((r) => `job ${r.id} (${r.status}) says charged ${money(r.charged)} but its ledger rows took ${money(r.taken)}`);
      const orphans = (await q.selectLedgerWithoutJob(trx, limit)).map((r) => `ledger row ${r.id} names job ${r.job_id}, which does not exist`);
      return [...off, ...orphans].slice(0, limit);
    },
  },
  {
    name: "counters-match-job-log",
    summary: "printer and shared-account job and page counters agree with the charged jobs in the job log",
    async run(trx, limit) {
      const printers = (await q.selectPrintersOffJobLog(trx, limit)).map(
        (r) =>
          `printer ${r.server_name}\\${r.printer_name} (id ${r.id}) counts ${r.job_count} jobs / ${r.page_count} pages, the job log ${r.reset ? "since the reset " : ""}has ${r.jobs} / ${r.pages}`,
      );
      const shared = (await q.selectSharedAccountsOffJobLog(trx, limit)).map(
        (r) => `shared account ${r.name} (id ${r.id}) counts ${r.job_count} jobs / ${r.page_count} pages, the job log has ${r.jobs} / ${r.pages}`,
      );
      return [...printers, ...shared].slice(0, limit);
    },
  },
  {
    name: "no-orphan-memberships",
    summary: "group memberships name existing groups and users",
    async run(trx, limit) {
      return (await q.selectMembershipsWithoutRows(trx, limit)).map((r) => `membership of user id ${r.user_id} in group id ${r.group_id} names a missing row`);
    },
  },
];

export class AuditService {
  private readonly checks: AuditCheck[] = [...CORE_CHECKS];

  constructor(private readonly db: Database) {}

  /** Adds a feature's invariant check to every later audit. */
  register(check: AuditCheck): void {
    if (this.checks.some((c) => c.name === check.name)) throw new Error(`Audit check ${check.name} is registered twice`);
    this.checks.push(check);
  }

  /** Runs every check in one snapshot; `limit` bounds the differences listed per check. */
  async run(limit = 50): Promise<AuditReport> {
    return this.db.snapshot(async (trx) => {
      const results: AuditResult[] = [];
      for (const check of this.checks) results.push({ name: check.name, summary: check.summary, differences: await check.run(trx, limit) });
      return {
        ok: results.every((r) => r.differences.length === 0),
        results,
        accounts: await q.countAccounts(trx),
        ledgerRows: await q.countLedgerRows(trx),
      };
    });
  }
}

/** The report as text, one line per check and one per difference. */
export function formatAuditReport(report: AuditReport): string {
  const lines = [`Audited ${report.accounts} accounts and ${report.ledgerRows} ledger rows.`];
  for (const r of report.results) {
    lines.push(`${r.differences.length === 0 ? "ok  " : "FAIL"} ${r.name}: ${r.summary}`);
    for (const d of r.differences) lines.push(`     ${d}`);
  }
  lines.push(report.ok ? "No differences found." : "Differences found.");
  return lines.join("\n") + "\n";
}
