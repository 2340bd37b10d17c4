// Use cases for shared accounts (departments, projects, cost centres), including sub-accounts named
// `Parent\Child`: lifecycle, balances (through the accounts feature), properties and access lists.
import type { AccountsService, AccountRow, LedgerEntry } from "../accounts/service.js";
import type { Database, Db, Trx } from "../db/database.js";
import type { GroupsService } from "../groups/service.js";
import type { Clock } from "../kernel/clock.js";
import { Conflict, Invalid, NotFound, userNotFound } from "../kernel/errors.js";
import type { Micros } from "../kernel/money.js";
import { parseOverdraftMode, type Actor, type OverdraftMode, type UsersService } from "../users/service.js";
import { parseSharedAccountName, tryParseSharedAccountName, type SharedAccountName } from "./names.js";
import { planSharedAccountChange, readSharedAccountProperty, type SharedAccountChange, type SharedAccountView } from "./properties.js";
import * as q from "./queries.js";

export function sharedAccountNotFound(name: string): NotFound {
  return new NotFound(`The shared account ${name} does not exist.`);
}

function checkPaging(offset: number, limit: number): void {
  if (offset < 0) throw new Invalid("offset must be zero or more.");
  if (limit < 0) throw new Invalid("limit must be zero or more.");
}

function entry(kind: string, comment: string, actor: Actor): LedgerEntry {
  return { kind, comment: comment.trim(), createdBy: actor.application };
}

/** Account selection modes that never charge a shared account. */
const PERSONAL_ONLY_MODES = new Set(["AUTO_CHARGE_TO_PERSONAL_ACCOUNT", "CHARGE_TO_PERSONAL_ACCOUNT_WITH_CONFIRMATION"]);

export class SharedAccountsService {
  constructor(
    private readonly db: Database,
    private readonly accounts: AccountsService,
    private readonly users: UsersService,
    private readonly groups: GroupsService,
    private readonly clock: Clock,
  ) {}

  // --- lookups ----------------------------------------------------------------------------------

  /** Never faults: malformed or unknown names are simply not there. */
  async isSharedAccountExists(name: string): Promise<boolean> {
    const parsed = tryParseSharedAccountName(name);
    return parsed !== undefined && (await this.accounts.findSharedAccount(this.db.kysely, parsed.full)) !== undefined;
  }

  /** The live account with this name; faults on a malformed or unknown name. */
  async requireSharedAccount(db: Db | Trx, name: string): Promise<AccountRow> {
    const parsed = parseSharedAccountName(name);
    const account = await this.accounts.findSharedAccount(db, parsed.full);
    if (!account) throw sharedAccountNotFound(parsed.full);
    return account;
  }

  /** The canonical full name of an existing account (used by account selection); faults when there is none. */
  async checkSharedAccountExists(name: string): Promise<string> {
    return (await this.requireSharedAccount(this.db.kysely, name)).name;
  }

  async listSharedAccounts(offset: number, limit: number): Promise<string[]> {
    checkPaging(offset, limit);
    return q.selectSharedAccountNames(this.db.kysely, offset, limit);
  }

  /**
   * The enabled accounts the user may charge without a PIN, through their own or a group's access
   * (parent access covers the sub-accounts). Empty when the user's account selection mode charges only
   * the personal account, unless ignoreAccountMode.
   */
  async listUserSharedAccounts(username: string, offset: number, limit: number, ignoreAccountMode: boolean): Promise<string[]> {
    checkPaging(offset, limit);
    const user = await this.users.requireUser(this.db.kysely, username);
    if (!ignoreAccountMode && PERSONAL_ONLY_MODES.has(user.account_selection_mode)) return [];
    const groupIds = await this.groups.effectiveGroupIdsOfUser(user);
    return q.selectAccessibleAccountNames(this.db.kysely, user.id, groupIds, this.clock.now(), offset, limit);
  }

  // --- lifecycle --------------------------------------------------------------------------------

  /** Creates an account; `Parent\Child` creates a sub-account, and the parent too when it does not exist. */
  async addNewSharedAccount(name: string): Promise<void> {
    const parsed = parseSharedAccountName(name);
    await this.db.write(async (trx) => {
      if (await this.accounts.findSharedAccount(trx, parsed.full)) throw new Conflict(`The shared account ${parsed.full} already exists.`);
      const parentId = await this.parentIdFor(trx, parsed);
      await q.insertSharedAccount(trx, parsed.full, parentId, this.clock.now());
    });
  }

  /** The parent's id for a sub-account name (creating the parent if needed), or null for a top-level name. */
  private async parentIdFor(trx: Trx, parsed: SharedAccountName): Promise<number | null> {
    if (parsed.child === null) return null;
    const parent = await this.accounts.findSharedAccount(trx, parsed.parent);
    return parent ? parent.id : q.insertSharedAccount(trx, parsed.parent, null, this.clock.now());
  }

  /** Deletes the account (and, for a parent, its sub-accounts); balances and history stay. */
  async deleteExistingSharedAccount(name: string): Promise<void> {
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, name);
      const children = await q.selectChildIds(trx, account.id);
      await q.markSharedAccountsDeleted(trx, [account.id, ...children], this.clock.now());
    });
  }

  /**
   * Renames keeping balance, history and settings. Renaming a parent renames its sub-accounts' prefix; a
   * sub-account may move under another parent (created if missing) or become a top-level account.
   */
  async renameSharedAccount(currentName: string, newName: string): Promise<void> {
    const target = parseSharedAccountName(newName);
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, currentName);
      if (target.full === account.name) return;
      if (await this.accounts.findSharedAccount(trx, target.full)) throw new Conflict(`Cannot rename ${account.name}: a shared account named ${target.full} already exists.`);
      const children = account.parent_id === null ? await q.selectChildIds(trx, account.id) : [];
      if (target.child !== null && (children.length > 0 || target.parent === account.name)) {
        throw new Invalid(`Cannot rename ${account.name} to ${target.full}: an account with sub-accounts cannot become a sub-account.`);
      }
      const parentId = await this.parentIdFor(trx, target);
      await q.renameSharedAccountRow(trx, account.id, target.full, parentId);
      if (children.length > 0) await q.renameChildrenPrefix(trx, account.id, account.name, target.full);
    });
  }

  /** Disables the account for `minutes`, or until re-enabled (property disabled = false) with -1. */
  async disableSharedAccount(name: string, minutes: number): Promise<void> {
    if (minutes < -1 || minutes === 0) throw new Invalid("disableMins must be a positive number of minutes, or -1 to disable until re-enabled.");
    const until = minutes === -1 ? null : this.clock.now() + minutes * 60_000;
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, name);
      await q.updateSharedAccount(trx, account.id, { disabled: 1, disabled_until: until });
    });
  }

  // --- balances ---------------------------------------------------------------------------------

  async getSharedAccountAccountBalance(name: string): Promise<Micros> {
    return (await this.requireSharedAccount(this.db.kysely, name)).balance;
  }

  async adjustSharedAccountAccountBalance(name: string, amount: Micros, comment: string, actor: Actor): Promise<void> {
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, name);
      await this.accounts.adjustBalance(trx, account.id, amount, entry("adjustment", comment, actor));
    });
  }

  async setSharedAccountAccountBalance(name: string, balance: Micros, comment: string, actor: Actor): Promise<void> {
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, name);
      await this.accounts.setBalance(trx, account.id, balance, entry("set-balance", comment, actor));
    });
  }

  // --- overdraft, properties and access ---------------------------------------------------------

  async getSharedAccountOverdraftMode(name: string): Promise<OverdraftMode> {
    return (await this.requireSharedAccount(this.db.kysely, name)).overdraft_mode;
  }

  async setSharedAccountOverdraftMode(name: string, mode: string): Promise<void> {
    const parsed = parseOverdraftMode(mode);
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, name);
      await q.updateSharedAccount(trx, account.id, { overdraft_mode: parsed });
    });
  }

  async getSharedAccountProperties(name: string, propertyNames: readonly string[]): Promise<string[]> {
    const account = await this.requireSharedAccount(this.db.kysely, name);
    const view: SharedAccountView = {
      account,
      accessUsers: propertyNames.includes("access-users") ? await q.selectAccessUsernames(this.db.kysely, account.id) : [],
      accessGroups: propertyNames.includes("access-groups") ? await q.selectAccessGroupNames(this.db.kysely, account.id) : [],
      now: this.clock.now(),
    };
    return propertyNames.map((p) => readSharedAccountProperty(view, p));
  }

  /** Applies property writes all-or-nothing. */
  async setSharedAccountProperties(name: string, writes: ReadonlyArray<readonly [string, string]>, actor: Actor): Promise<void> {
    if (writes.length === 0) return;
    const change = planSharedAccountChange(writes);
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, name);
      await this.applyChange(trx, account, change, actor);
    });
  }

  /** Applies property writes to a live shared account inside the caller's transaction (batch imports). */
  async applyPropertiesInTransaction(trx: Trx, name: string, writes: ReadonlyArray<readonly [string, string]>, actor: Actor): Promise<void> {
    if (writes.length === 0) return;
    const change = planSharedAccountChange(writes);
    await this.applyChange(trx, await this.requireSharedAccount(trx, name), change, actor);
  }

  /**
   * Replaces the access lists of many accounts at once in the caller's transaction (the batch import),
   * with the same result and checks as applyPropertiesInTransaction with access-users/access-groups writes
   * for each in turn: names are checked, every user and group named must exist, and a list given
   * replaces the current one. The users are read in one statement, each group once, and the rows are
   * deleted and inserted in one statement per 500 accounts.
   */
  async replaceAccessLists(trx: Trx, lists: ReadonlyArray<{ accountId: number; name: string; writes: ReadonlyArray<readonly [string, string]> }>): Promise<void> {
    const planned = lists
      .filter((l) => l.writes.length > 0)
      .map((l) => {
        parseSharedAccountName(l.name);
        const change = planSharedAccountChange(l.writes);
        if (Object.keys(change.account).length > 0 || change.balance !== undefined) throw new Invalid("replaceAccessLists takes access list writes only.");
        return { accountId: l.accountId, users: change.accessUsers, groups: change.accessGroups };
      });
    if (planned.length === 0) return;
    const usernames = [...new Set(planned.flatMap((p) => p.users ?? []))];
    const userIds = new Map<string, number>();
    for (let i = 0; i < usernames.length; i += 500) for (const u of await this.users.findUsers(trx, usernames.slice(i, i + 500))) userIds.set(u.username, u.id);
    const groupIds = new Map<string, number>();
    for (const p of planned) {
      for (const username of p.users ?? []) if (!userIds.has(username)) throw userNotFound(username);
      for (const g of p.groups ?? []) if (!groupIds.has(g)) groupIds.set(g, (await this.groups.requireGroup(g, trx)).id);
    }
    // An account listed again takes its later lists, as writes applied in turn would leave it.
    const folded = new Map<number, { accountId: number; users?: string[]; groups?: string[] }>();
    for (const p of planned) {
      const f = folded.get(p.accountId) ?? { accountId: p.accountId };
      if (p.users) f.users = p.users;
      if (p.groups) f.groups = p.groups;
      folded.set(p.accountId, f);
    }
    const final = [...folded.values()];
    for (let i = 0; i < final.length; i += 500) {
      const chunk = final.slice(i, i + 500);
      await q.deleteAccessUsersOf(trx, chunk.filter((p) => p.users).map((p) => p.accountId));
      await q.deleteAccessGroupsOf(trx, chunk.filter((p) => p.groups).map((p) => p.accountId));
      const userRows = chunk.flatMap((p) => (p.users ?? []).map((u) => ({ account_id: p.accountId, user_id: userIds.get(u)! })));
      const groupRows = chunk.flatMap((p) => (p.groups ?? []).map((g) => ({ account_id: p.accountId, group_id: groupIds.get(g)! })));
      for (let j = 0; j < userRows.length; j += 500) await q.insertAccessUsers(trx, userRows.slice(j, j + 500));
      for (let j = 0; j < groupRows.length; j += 500) await q.insertAccessGroups(trx, groupRows.slice(j, j + 500));
    }
  }

  private async applyChange(trx: Trx, account: AccountRow, change: SharedAccountChange, actor: Actor): Promise<void> {
    const pin = change.account.pin;
    if (pin !== undefined && pin !== "" && (await q.selectAccountIdByPin(trx, pin, account.id)) !== undefined) {
      throw new Conflict(`Tried to set the pin of ${account.name}, but another shared account uses it.`);
    }
    await q.updateSharedAccount(trx, account.id, change.account);
    if (change.accessUsers) {
      const userIds = [];
      for (const username of change.accessUsers) userIds.push((await this.users.requireUser(trx, username)).id);
      await q.deleteAllAccessUsers(trx, account.id);
      for (const userId of userIds) await q.insertAccessUser(trx, account.id, userId);
    }
    if (change.accessGroups) {
      const groupIds = [];
      for (const groupName of change.accessGroups) groupIds.push((await this.groups.requireGroup(groupName, trx)).id);
      await q.deleteAllAccessGroups(trx, account.id);
      for (const groupId of groupIds) await q.insertAccessGroup(trx, account.id, groupId);
    }
    if (change.balance !== undefined) {
      await this.accounts.setBalance(trx, account.id, change.balance, entry("set-balance", "Balance set through the balance property", actor));
    }
  }

  async addSharedAccountAccessUser(name: string, username: string): Promise<void> {
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, name);
      const user = await this.users.requireUser(trx, username);
      await q.insertAccessUser(trx, account.id, user.id);
    });
  }

  async removeSharedAccountAccessUser(name: string, username: string): Promise<void> {
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, name);
      const user = await this.users.requireUser(trx, username);
      await q.deleteAccessUser(trx, account.id, user.id);
    });
  }

  async addSharedAccountAccessGroup(name: string, groupName: string): Promise<void> {
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, name);
      const group = await this.groups.requireGroup(groupName, trx);
      await q.insertAccessGroup(trx, account.id, group.id);
    });
  }

  async removeSharedAccountAccessGroup(name: string, groupName: string): Promise<void> {
    await this.db.write(async (trx) => {
      const account = await this.requireSharedAccount(trx, name);
      const group = await this.groups.requireGroup(groupName, trx);
      await q.deleteAccessGroup(trx, account.id, group.id);
    });
  }
}
