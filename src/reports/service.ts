// Figures for the admin dashboard and the transaction log: read-only views across users, accounts and
// the ledger. Amounts stay in micros; the web edge formats them.
import type { Database } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { Invalid } from "../kernel/errors.js";
import { units, type Micros } from "../kernel/money.js";
import { countLiveSharedAccounts, DAY_MS, selectBalanceBuckets, selectLedgerPerDay, selectTopSpenders, selectTransactions, sumPersonalBalancesAll, type TransactionRow } from "./queries.js";

export type { TransactionRow } from "./queries.js";

/** Upper bounds (exclusive) of the balance buckets, in whole units; the last bucket is open-ended. */
export const BALANCE_BUCKET_BOUNDS = [0, 0.01, 5, 10, 20, 50, 100];

export interface DashboardFigures {
  sharedAccounts: number;
  totalPersonalBalance: Micros;
  transactionsToday: number;
  transactionsLast30Days: number;
  balanceBuckets: Array<{ label: string; count: number }>;
  /** Oldest first, exactly `days` entries, one per UTC day ending today. */
  ledgerPerDay: Array<{ day: number; count: number; credits: Micros; debits: Micros }>;
  topSpenders: Array<{ username: string; spent: Micros }>;
}

function bucketLabels(bounds: readonly number[]): string[] {
  const labels = [`below 0`, `0`];
  for (let i = 2; i < bounds.length; i++) labels.push(`${bounds[i - 1] === 0.01 ? "0.01" : bounds[i - 1]}–${bounds[i]}`);
  labels.push(`${bounds[bounds.length - 1]} and over`);
  return labels;
}

/** Dashboard figures are reused for this long: over a million ledger rows they take a while to sum. */
export const DASHBOARD_MAX_AGE_MS = 60_000;

export class ReportsService {
  private cached: { at: number; days: number; figures: Promise<DashboardFigures> } | undefined;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** The dashboard figures, at most DASHBOARD_MAX_AGE_MS old (`maxAgeMs` 0 forces fresh ones). */
  async dashboard(days = 30, maxAgeMs = DASHBOARD_MAX_AGE_MS): Promise<DashboardFigures & { computedAt: number }> {
    const now = this.clock.now();
    const cached = this.cached;
    if (cached && cached.days === days && now - cached.at < maxAgeMs) return { ...(await cached.figures), computedAt: cached.at };
    const figures = this.computeDashboard(days, now);
    this.cached = { at: now, days, figures };
    figures.catch(() => {
      if (this.cached?.figures === figures) this.cached = undefined;
    });
    return { ...(await figures), computedAt: now };
  }

  private async computeDashboard(days: number, now: number): Promise<DashboardFigures> {
    const db = this.db.kysely;
    const today = Math.floor(now / DAY_MS);
    const firstDay = today - days + 1;
    const [sharedAccounts, totalPersonalBalance, buckets, perDay, topSpenders] = await Promise.all([
      countLiveSharedAccounts(db),
      sumPersonalBalancesAll(db),
      selectBalanceBuckets(db, BALANCE_BUCKET_BOUNDS.map(units)),
      selectLedgerPerDay(db, firstDay * DAY_MS),
      selectTopSpenders(db, firstDay * DAY_MS, 10),
    ]);
    const byDay = new Map(perDay.map((d) => [d.day, d]));
    const ledgerPerDay = Array.from({ length: days }, (_, i) => byDay.get(firstDay + i) ?? { day: firstDay + i, count: 0, credits: 0, debits: 0 });
    const labels = bucketLabels(BALANCE_BUCKET_BOUNDS);
    return {
      sharedAccounts,
      totalPersonalBalance,
      transactionsToday: byDay.get(today)?.count ?? 0,
      transactionsLast30Days: perDay.reduce((n, d) => n + d.count, 0),
      balanceBuckets: buckets.map((count, i) => ({ label: labels[i], count })),
      ledgerPerDay: ledgerPerDay.map((d) => ({ ...d, day: d.day * DAY_MS })),
      topSpenders,
    };
  }

  /** A page of the transaction log (every account), newest first, and whether another page follows. */
  async listTransactions(offset: number, limit: number, accountIds?: readonly number[]): Promise<{ rows: TransactionRow[]; more: boolean }> {
    if (offset < 0 || limit <= 0 || limit > 1000) throw new Invalid("Page out of range.");
    const rows = await selectTransactions(this.db.kysely, { accountIds }, offset, limit + 1);
    return { rows: rows.slice(0, limit), more: rows.length > limit };
  }
}
