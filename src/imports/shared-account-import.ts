// The shared account import file (tab-separated, no header, blank field = leave unchanged):
//   parent name, sub-account name, enabled Y/N, PIN/code, balance, restricted Y/N, users allowed,
//   groups allowed, invoice option, comment option, notes
// A sub-account line creates its missing parent. A test run applies everything in one transaction and
// rolls it back, so its counts are exactly those of a real run and nothing changes. With
// delete-accounts-not-in-file, live shared accounts that no line names (a parent counts as named when
// any of its sub-accounts is) are deleted; their history stays.
import type { AccountsService } from "../accounts/service.js";
import type { Database, Trx } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { Conflict, Invalid } from "../kernel/errors.js";
import { parseAmount } from "../kernel/text-values.js";
import type { SharedAccountsService } from "../shared-accounts/service.js";
import type { TaskProgress } from "../tasks/service.js";
import type { Actor } from "../users/service.js";
import { ImportErrors, flagField, importLines, tabFields, type LineRecord } from "./line-import.js";
import {
  inSavepoint,
  insertSharedAccount,
  insertSharedAccounts,
  markSharedAccountsDeleted,
  selectLiveSharedAccountNames,
  selectSharedAccountIdByPin,
  selectSharedAccountIdsByPins,
  updateSharedAccount,
  updateSharedAccounts,
  type SharedAccountPatch,
} from "./queries.js";

export const INVOICE_OPTIONS = ["ALWAYS_INVOICE", "NEVER_INVOICE", "USER_CHOICE_ON", "USER_CHOICE_OFF"];
export const COMMENT_OPTIONS = ["NO_COMMENT", "COMMENT_OPTIONAL", "COMMENT_REQUIRED"];

export interface SharedAccountRecord {
  parent: string;
  sub: string;
  enabled?: "Y" | "N";
  pin?: string;
  balance?: number;
  restricted?: "Y" | "N";
  invoiceOption?: string;
  commentOption?: string;
  notes?: string;
  /** Access lists as comma-separated names; "" clears. The everyone token is always a group. */
  accessUsers?: string;
  accessGroups?: string;
}

const EVERYONE = new Set(["[all users]", "!!all users!!"]);

/** Splits the users and groups columns; `[All Users]` (or `!!All Users!!`) in either column is the everyone group. */
function accessLists(usersText: string, groupsText: string): { users?: string; groups?: string } {
  const split = (t: string) => (t.trim() === "-" ? [] : t.split("|").map((n) => n.trim()).filter((n) => n !== ""));
  const out: { users?: string; groups?: string } = {};
  const users = split(usersText);
  const groups = split(groupsText);
  const everyone = [...users, ...groups].some((n) => EVERYONE.has(n.toLowerCase()));
  if (usersText.trim() !== "") out.users = users.filter((n) => !EVERYONE.has(n.toLowerCase())).join(",");
  if (groupsText.trim() !== "" || everyone) {
    const named = groups.filter((n) => !EVERYONE.has(n.toLowerCase()));
    out.groups = [...(everyone ? ["[All Users]"] : []), ...named].join(",");
  }
  return out;
}

function checkName(label: string, name: string): string {
  const t = name.trim();
  if (t.includes("\\")) throw new Invalid(`the ${label} "${t}" must not contain a backslash.`);
  return t;
}

function option(label: string, text: string, allowed: readonly string[]): string | undefined {
  const t = text.trim().toUpperCase();
  if (t === "") return undefined;
  if (!allowed.includes(t)) throw new Invalid(`the ${label} "${text.trim()}" is not one of ${allowed.join(", ")}.`);
  return t;
}

/** The account columns a line sets. */
function patchOf(r: SharedAccountRecord): SharedAccountPatch {
  return {
    ...(r.enabled ? { disabled: r.enabled === "N" ? 1 : 0 } : {}),
    ...(r.pin !== undefined ? { pin: r.pin } : {}),
    ...(r.restricted ? { restricted: r.restricted === "Y" ? 1 : 0 } : {}),
    ...(r.invoiceOption ? { invoice_option: r.invoiceOption } : {}),
    ...(r.commentOption ? { comment_option: r.commentOption } : {}),
    ...(r.notes !== undefined ? { notes: r.notes } : {}),
  };
}

export function parseSharedAccountLine(text: string): SharedAccountRecord {
  const [parent, sub, enabled, pin, balance, restricted, users, groups, invoice, comment, notes] = tabFields(text, 11);
  const record: SharedAccountRecord = { parent: checkName("parent account name", parent), sub: checkName("sub-account name", sub) };
  if (record.parent === "") throw new Invalid("the parent account name (first field) is empty.");
  record.enabled = flagField("Enabled", enabled);
  if (pin.trim() !== "") record.pin = pin.trim();
  if (balance.trim() !== "") record.balance = parseAmount("the balance", balance);
  record.restricted = flagField("Restricted", restricted);
  record.invoiceOption = option("invoice option", invoice, INVOICE_OPTIONS);
  record.commentOption = option("comment option", comment, COMMENT_OPTIONS);
  if (notes.trim() !== "") record.notes = notes.trim();
  const access = accessLists(users, groups);
  if (access.users !== undefined) record.accessUsers = access.users;
  if (access.groups !== undefined) record.accessGroups = access.groups;
  return record;
}

class TestRunRollback extends Error {}

/** What a line does to an account, in the batch's plan: an existing account (id) or a new one, with its values so far. */
interface PlannedAccount {
  /** The owner key of PIN/codes: `#id` for an existing account, `+name` for a new one. */
  key: string;
  name: string;
  id?: number;
  /** For a new sub-account: its parent's full name. */
  parent?: string;
  /** New account: its values; existing account: the columns the batch changes. */
  values: SharedAccountPatch;
  pin: string;
}

interface Counts {
  created: number;
  updated: number;
  deleted: number;
}

const BALANCE_COMMENT = "Balance set by batch shared account import";

/** Groups rows by the columns they set, so each group is one multi-row statement. */
function bySignature<T extends object>(rows: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const key = Object.keys(row).sort().join(",");
    const list = groups.get(key) ?? [];
    list.push(row);
    groups.set(key, list);
  }
  return [...groups.values()];
}

export class SharedAccountImport {
  private readonly counts: Counts = { created: 0, updated: 0, deleted: 0 };
  private readonly named = new Set<string>();

  constructor(
    private readonly db: Database,
    private readonly accounts: AccountsService,
    private readonly sharedAccounts: SharedAccountsService,
    private readonly clock: Clock,
    private readonly actor: Actor,
  ) {}

  async run(path: string, progress: TaskProgress, options: { test: boolean; deleteNonExistent: boolean }): Promise<string> {
    const errors = new ImportErrors();
    let lines = 0;
    if (options.test) {
      // One transaction, rolled back: status lines wait until it has ended (a write from inside it would wait for itself).
      const buffered: string[] = [];
      const quiet: TaskProgress = { signal: progress.signal, line: async (text) => void buffered.push(text) };
      await this.db
        .write(async (trx) => {
          lines = await importLines(path, quiet, errors, parseSharedAccountLine, (batch) => this.applyBatch(trx, batch, errors));
          if (options.deleteNonExistent) await this.deleteUnnamed(trx);
          throw new TestRunRollback();
        })
        .catch((error: unknown) => {
          if (!(error instanceof TestRunRollback)) throw error;
        });
      for (const line of buffered) await progress.line(line);
    } else {
      lines = await importLines(path, progress, errors, parseSharedAccountLine, (batch) => this.db.write((trx) => this.applyBatch(trx, batch, errors)));
      if (options.deleteNonExistent) await this.db.write((trx) => this.deleteUnnamed(trx));
    }
    const c = this.counts;
    const verb = options.test ? "Test run complete (nothing was changed)" : "Import complete";
    const would = options.test ? "would be " : "";
    return `${verb}: ${lines} lines processed, ${c.created} accounts ${would}created, ${c.updated} ${would}updated, ${c.deleted} ${would}deleted, ${errors.count} errors.`;
  }

  /**
   * Fast path: the batch is applied set-based in one savepoint (see applySetBased). If anything fails,
   * that savepoint is rolled back and the batch applied again line by line, each in its own savepoint,
   * so a bad line changes nothing, the good ones are kept and each error is reported against its line.
   */
  private async applyBatch(trx: Trx, batch: Array<LineRecord<SharedAccountRecord>>, errors: ImportErrors): Promise<void> {
    const before = { ...this.counts };
    try {
      await inSavepoint(trx, () => this.applySetBased(trx, batch));
      for (const { record } of batch) this.name(record);
      return;
    } catch {
      Object.assign(this.counts, before);
    }
    for (const { line, record } of batch) {
      try {
        const beforeLine = { ...this.counts };
        await inSavepoint(trx, () => this.applyRecord(trx, record)).catch((error: unknown) => {
          Object.assign(this.counts, beforeLine);
          throw error;
        });
        this.name(record);
      } catch (error) {
        errors.add(line, error);
      }
    }
  }

  private name(record: SharedAccountRecord): void {
    this.named.add(record.parent);
    if (record.sub !== "") this.named.add(`${record.parent}\\${record.sub}`);
  }

  /**
   * Applies a whole batch in a few statements, with the result applying its lines in turn would have.
   * The batch's accounts and the owners of the PIN/codes it sets are read with one query each; the lines
   * are then folded, in order, into a plan (new accounts with their values, changes to existing ones,
   * access lists, balances set), checking each line as it goes; the plan is written with multi-row
   * inserts of the new accounts (parents first), one update per distinct change of existing accounts,
   * and the access lists and balances through their features' set-based calls.
   */
  private async applySetBased(trx: Trx, batch: Array<LineRecord<SharedAccountRecord>>): Promise<void> {
    const names = new Set<string>();
    const pinsSet = new Set<string>();
    for (const { record: r } of batch) {
      names.add(r.parent);
      if (r.sub !== "") names.add(`${r.parent}\\${r.sub}`);
      if (r.pin !== undefined) pinsSet.add(r.pin);
    }
    const plan = new Map<string, PlannedAccount>();
    for (const a of await this.accounts.findSharedAccounts(trx, [...names])) plan.set(a.name, { key: `#${a.id}`, name: a.name, id: a.id, values: {}, pin: a.pin });
    // PIN/code → owner key; -1 when several accounts already share it (every line setting it then fails).
    const pins = new Map<string, string | -1>();
    for (const [pin, id] of await selectSharedAccountIdsByPins(trx, [...pinsSet])) pins.set(pin, id === -1 ? -1 : `#${id}`);
    const access: Array<{ key: string; name: string; writes: Array<[string, string]> }> = [];
    const balances: Array<{ key: string; balance: number }> = [];
    const create = (name: string, parent: string | undefined, values: SharedAccountPatch): PlannedAccount => {
      const account: PlannedAccount = { key: `+${name}`, name, values, pin: values.pin ?? "", ...(parent !== undefined ? { parent } : {}) };
      plan.set(name, account);
      this.counts.created++;
      return account;
    };
    for (const { record: r } of batch) {
      const patch = patchOf(r);
      if (r.sub !== "" && !plan.has(r.parent)) create(r.parent, undefined, {});
      const fullName = r.sub === "" ? r.parent : `${r.parent}\\${r.sub}`;
      let account = plan.get(fullName);
      if (r.pin !== undefined) {
        const owner = pins.get(r.pin);
        if (owner !== undefined && (owner === -1 || owner !== account?.key)) throw new Conflict(`the PIN/code ${r.pin} is already used by another shared account.`);
      }
      if (account) {
        Object.assign(account.values, patch);
        this.counts.updated++;
      } else account = create(fullName, r.sub === "" ? undefined : r.parent, { ...patch });
      if (r.pin !== undefined) {
        if (account.pin !== "" && pins.get(account.pin) === account.key) pins.delete(account.pin);
        pins.set(r.pin, account.key);
        account.pin = r.pin;
      }
      const writes: Array<[string, string]> = [];
      if (r.accessUsers !== undefined) writes.push(["access-users", r.accessUsers]);
      if (r.accessGroups !== undefined) writes.push(["access-groups", r.accessGroups]);
      if (writes.length > 0) access.push({ key: account.key, name: fullName, writes });
      if (r.balance !== undefined) balances.push({ key: account.key, balance: r.balance });
    }

    const now = this.clock.now();
    const ids = new Map<string, number>();
    for (const a of plan.values()) if (a.id !== undefined) ids.set(a.key, a.id);
    const fresh = [...plan.values()].filter((a) => a.id === undefined);
    // Parents first: their ids are the sub-accounts' parent_id.
    for (const level of [fresh.filter((a) => a.parent === undefined), fresh.filter((a) => a.parent !== undefined)]) {
      const rows = level.map((a) => ({ name: a.name, parent_id: a.parent === undefined ? null : ids.get(plan.get(a.parent)!.key)!, created_at: now, ...a.values }));
      for (const group of bySignature(rows)) {
        for (let i = 0; i < group.length; i += 500) for (const [name, id] of await insertSharedAccounts(trx, group.slice(i, i + 500))) ids.set(`+${name}`, id);
      }
    }
    const changes = new Map<string, { patch: SharedAccountPatch; ids: number[] }>();
    for (const a of plan.values()) {
      if (a.id === undefined || Object.keys(a.values).length === 0) continue;
      const key = JSON.stringify(Object.entries(a.values).sort(([x], [y]) => (x < y ? -1 : 1)));
      const change = changes.get(key) ?? { patch: a.values, ids: [] };
      change.ids.push(a.id);
      changes.set(key, change);
    }
    for (const change of changes.values()) for (let i = 0; i < change.ids.length; i += 500) await updateSharedAccounts(trx, change.ids.slice(i, i + 500), change.patch);
    await this.sharedAccounts.replaceAccessLists(trx, access.map((a) => ({ accountId: ids.get(a.key)!, name: a.name, writes: a.writes })));
    const entry = { kind: "set-balance", comment: BALANCE_COMMENT, createdBy: this.actor.application };
    await this.accounts.setBalances(trx, balances.map((b) => ({ accountId: ids.get(b.key)!, balance: b.balance, entry })));
  }

  /** Applies one line (the line-by-line path, in the line's own savepoint). */
  private async applyRecord(trx: Trx, r: SharedAccountRecord): Promise<void> {
    const now = this.clock.now();
    const find = async (name: string): Promise<number | undefined> => (await this.accounts.findSharedAccount(trx, name))?.id;
    let parentId: number | null = null;
    if (r.sub !== "") {
      const parent = await find(r.parent);
      if (parent !== undefined) parentId = parent;
      else {
        parentId = await insertSharedAccount(trx, { name: r.parent, parent_id: null, created_at: now });
        this.counts.created++;
      }
    }
    const fullName = r.sub === "" ? r.parent : `${r.parent}\\${r.sub}`;
    const existingId = await find(fullName);
    const id = existingId ?? (await insertSharedAccount(trx, { name: fullName, parent_id: parentId, created_at: now }));
    if (r.pin !== undefined && (await selectSharedAccountIdByPin(trx, r.pin, id)) !== undefined) {
      throw new Conflict(`the PIN/code ${r.pin} is already used by another shared account.`);
    }
    await updateSharedAccount(trx, id, patchOf(r));
    const access: Array<[string, string]> = [];
    if (r.accessUsers !== undefined) access.push(["access-users", r.accessUsers]);
    if (r.accessGroups !== undefined) access.push(["access-groups", r.accessGroups]);
    await this.sharedAccounts.applyPropertiesInTransaction(trx, fullName, access, this.actor);
    if (r.balance !== undefined) {
      await this.accounts.setBalance(trx, id, r.balance, { kind: "set-balance", comment: BALANCE_COMMENT, createdBy: this.actor.application });
    }
    if (existingId !== undefined) this.counts.updated++;
    else this.counts.created++;
  }

  private async deleteUnnamed(trx: Trx): Promise<void> {
    const unnamed = (await selectLiveSharedAccountNames(trx)).filter((name) => !this.named.has(name));
    for (let i = 0; i < unnamed.length; i += 500) this.counts.deleted += await markSharedAccountsDeleted(trx, unnamed.slice(i, i + 500), this.clock.now());
  }
}
