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
  markSharedAccountsDeleted,
  selectLiveSharedAccountNames,
  selectSharedAccountIdByPin,
  selectSharedAccountIdsByPins,
  updateSharedAccount,
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

/** What the fast path knows of a batch: its accounts by full name (id, PIN) and the PINs' owners (-1: several). */
interface BatchState {
  accounts: Map<string, { id: number; pin: string }>;
  pins: Map<string, number>;
}

interface Counts {
  created: number;
  updated: number;
  deleted: number;
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
   * Fast path: the batch's existing accounts and PIN owners are read with one query each and the lines
   * are applied in one savepoint without per-line savepoints. If any line fails, that savepoint is
   * rolled back and the batch applied again line by line, each in its own savepoint, so a bad line
   * changes nothing, the good ones are kept and each error is reported against its line.
   */
  private async applyBatch(trx: Trx, batch: Array<LineRecord<SharedAccountRecord>>, errors: ImportErrors): Promise<void> {
    const before = { ...this.counts };
    try {
      await inSavepoint(trx, async () => {
        const names = new Set<string>();
        const pins = new Set<string>();
        for (const { record: r } of batch) {
          names.add(r.parent);
          if (r.sub !== "") names.add(`${r.parent}\\${r.sub}`);
          if (r.pin !== undefined) pins.add(r.pin);
        }
        const known: BatchState = {
          accounts: new Map((await this.accounts.findSharedAccounts(trx, [...names])).map((a) => [a.name, { id: a.id, pin: a.pin }])),
          pins: await selectSharedAccountIdsByPins(trx, [...pins]),
        };
        for (const { record } of batch) await this.applyRecord(trx, record, known);
      });
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
   * Applies one line. With `known` (the fast path) accounts and PIN owners come from the batch's
   * preload, kept current as lines change them, and a new account is inserted with its values at once.
   */
  private async applyRecord(trx: Trx, r: SharedAccountRecord, known?: BatchState): Promise<void> {
    const now = this.clock.now();
    const find = async (name: string): Promise<number | undefined> =>
      known ? known.accounts.get(name)?.id : (await this.accounts.findSharedAccount(trx, name))?.id;
    const patch: SharedAccountPatch = {
      ...(r.enabled ? { disabled: r.enabled === "N" ? 1 : 0 } : {}),
      ...(r.pin !== undefined ? { pin: r.pin } : {}),
      ...(r.restricted ? { restricted: r.restricted === "Y" ? 1 : 0 } : {}),
      ...(r.invoiceOption ? { invoice_option: r.invoiceOption } : {}),
      ...(r.commentOption ? { comment_option: r.commentOption } : {}),
      ...(r.notes !== undefined ? { notes: r.notes } : {}),
    };
    let parentId: number | null = null;
    if (r.sub !== "") {
      const parent = await find(r.parent);
      if (parent !== undefined) parentId = parent;
      else {
        parentId = await insertSharedAccount(trx, { name: r.parent, parent_id: null, created_at: now });
        known?.accounts.set(r.parent, { id: parentId, pin: "" });
        this.counts.created++;
      }
    }
    const fullName = r.sub === "" ? r.parent : `${r.parent}\\${r.sub}`;
    const existingId = await find(fullName);
    const existing = existingId !== undefined;
    let id: number;
    if (known) {
      if (r.pin !== undefined) {
        const owner = known.pins.get(r.pin);
        if (owner !== undefined && (owner === -1 || owner !== existingId)) throw new Conflict(`the PIN/code ${r.pin} is already used by another shared account.`);
      }
      if (existingId !== undefined) {
        id = existingId;
        await updateSharedAccount(trx, id, patch);
      } else id = await insertSharedAccount(trx, { name: fullName, parent_id: parentId, created_at: now, ...patch });
      const state = known.accounts.get(fullName) ?? { id, pin: "" };
      if (r.pin !== undefined) {
        if (state.pin !== "" && known.pins.get(state.pin) === id) known.pins.delete(state.pin);
        known.pins.set(r.pin, id);
        state.pin = r.pin;
      }
      known.accounts.set(fullName, state);
    } else {
      id = existingId ?? (await insertSharedAccount(trx, { name: fullName, parent_id: parentId, created_at: now }));
      if (r.pin !== undefined && (await selectSharedAccountIdByPin(trx, r.pin, id)) !== undefined) {
        throw new Conflict(`the PIN/code ${r.pin} is already used by another shared account.`);
      }
      await updateSharedAccount(trx, id, patch);
    }
    const access: Array<[string, string]> = [];
    if (r.accessUsers !== undefined) access.push(["access-users", r.accessUsers]);
    if (r.accessGroups !== undefined) access.push(["access-groups", r.accessGroups]);
    await this.sharedAccounts.applyPropertiesInTransaction(trx, fullName, access, this.actor);
    if (r.balance !== undefined) {
      await this.accounts.setBalance(trx, id, r.balance, { kind: "set-balance", comment: "Balance set by batch shared account import", createdBy: this.actor.application });
    }
    if (existing) this.counts.updated++;
    else this.counts.created++;
  }

  private async deleteUnnamed(trx: Trx): Promise<void> {
    const unnamed = (await selectLiveSharedAccountNames(trx)).filter((name) => !this.named.has(name));
    for (let i = 0; i < unnamed.length; i += 500) this.counts.deleted += await markSharedAccountsDeleted(trx, unnamed.slice(i, i + 500), this.clock.now());
  }
}
