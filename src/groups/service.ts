// Groups of users: the group list, memberships, balance changes for all members at once, quotas and the
// new-user rules. Used by quotas, printer access, shared-account access and admin rights.
import type { AccountsService, BulkBalanceRule, LedgerEntry } from "../accounts/service.js";
import type { Database, Db, Trx } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { Conflict, Invalid, NotFound } from "../kernel/errors.js";
import type { Micros } from "../kernel/money.js";
import type { Actor, InitialUserSettings, UsersService } from "../users/service.js";
import { checkInitialSettings, mergeInitialSettings, type GroupInitialSettings, type InitialSelectionMode } from "./initial-settings.js";
import * as q from "./queries.js";
import { ALL_USERS, INTERNAL_USERS, type GroupRow } from "./queries.js";
import { formatCustomDates, parseCustomDates, parseQuotaPeriod, type QuotaPeriod, type QuotaRun, type QuotaSchedule } from "./quota-schedule.js";

export { ALL_USERS, INTERNAL_USERS } from "./queries.js";

export interface GroupQuota {
  amount: Micros;
  period: QuotaPeriod;
  maxAccumulation: Micros;
}

function checkPaging(offset: number, limit: number): void {
  if (offset < 0) throw new Invalid("offset must be zero or more.");
  if (limit < 0) throw new Invalid("limit must be zero or more.");
}

export function groupNotFound(name: string): NotFound {
  return new NotFound(`The group ${name} does not exist.`);
}

/** `[All Users]` and `[Internal Users]` (the spelling of import files and the admin interface) name the built-in groups. */
export function canonicalGroupName(name: string): string {
  const t = name.trim();
  if (t === "[All Users]") return ALL_USERS;
  if (t === "[Internal Users]") return INTERNAL_USERS;
  return t;
}

const isBuiltIn = (name: string) => name === ALL_USERS || name === INTERNAL_USERS;

function ledgerEntry(kind: string, comment: string, actor: Actor): LedgerEntry {
  return { kind, comment: comment.trim(), createdBy: actor.application };
}

export class GroupsService {
  constructor(
    private readonly db: Database,
    private readonly accounts: AccountsService,
    private readonly users: UsersService,
    private readonly clock: Clock,
  ) {}

  // --- lookups other features use ---------------------------------------------------------------

  async isGroupExists(name: string, db: Db | Trx = this.db.kysely): Promise<boolean> {
    return (await q.selectGroupId(db, canonicalGroupName(name))) !== undefined;
  }

  /** The names of the groups a user belongs to, sorted (memberships only; the built-in groups are not listed). */
  async groupNamesOfUser(userId: number, db: Db | Trx = this.db.kysely): Promise<string[]> {
    return q.selectGroupNamesOfUser(db, userId);
  }

  /** The ids of every group the user is in, including !!All Users!! and, for internal users, !!Internal Users!!. */
  async effectiveGroupIdsOfUser(user: { id: number; internal: 0 | 1 }, db: Db | Trx = this.db.kysely): Promise<number[]> {
    return q.selectEffectiveGroupIds(db, user);
  }

  /** A group's row by name (built-in spellings accepted); faults when it does not exist. */
  async requireGroup(name: string, db: Db | Trx = this.db.kysely): Promise<GroupRow> {
    const group = await q.selectGroup(db, canonicalGroupName(name));
    if (!group) throw groupNotFound(name.trim());
    return group;
  }

  /** The usernames of a group's members, sorted (all users / internal users for the built-in groups). */
  async usernamesInGroup(name: string, db: Db | Trx = this.db.kysely): Promise<string[]> {
    return q.selectMemberUsernames(db, await this.requireGroup(name, db), 0, undefined);
  }

  // --- the group list and memberships -----------------------------------------------------------

  /** Adds a group to the system's list (members come from addUserToGroup, or from a directory sync). */
  async addNewGroup(name: string): Promise<void> {
    const groupName = canonicalGroupName(name);
    if (groupName === "") throw new Invalid("The group name must not be empty.");
    // eslint-disable-next-line no-control-regex -- refusing control characters is the point
    if (/[\u0000-\u001f\u007f]/.test(groupName)) throw new Invalid("The group name contains control characters.");
    await this.db.write(async (trx) => {
      if (await q.selectGroupId(trx, groupName)) throw new Conflict(`The group ${groupName} already exists.`);
      await q.insertGroup(trx, groupName, this.clock.now());
    });
  }

  async removeGroup(name: string): Promise<void> {
    await this.db.write(async (trx) => {
      const group = await this.requireGroup(name, trx);
      if (isBuiltIn(group.name)) throw new Invalid(`The built-in group ${group.name} cannot be removed.`);
      await q.deleteGroup(trx, group.id);
    });
  }

  async listUserGroups(offset: number, limit: number): Promise<string[]> {
    checkPaging(offset, limit);
    return q.selectGroupNames(this.db.kysely, offset, limit);
  }

  async getUserGroups(username: string): Promise<string[]> {
    const user = await this.users.requireUser(this.db.kysely, username);
    return q.selectGroupNamesOfUser(this.db.kysely, user.id);
  }

  /** Members, sorted; without offset and limit, all of them. */
  async getGroupMembers(name: string, offset?: number, limit?: number): Promise<string[]> {
    if ((offset === undefined) !== (limit === undefined)) throw new Invalid("getGroupMembers takes both offset and limit, or neither.");
    if (offset !== undefined && limit !== undefined) checkPaging(offset, limit);
    const group = await this.requireGroup(name);
    return q.selectMemberUsernames(this.db.kysely, group, offset ?? 0, limit);
  }

  async addUserToGroup(username: string, groupName: string): Promise<void> {
    await this.changeMembership(username, groupName, (trx, groupId, userId) => q.insertMembership(trx, groupId, userId));
  }

  async removeUserFromGroup(username: string, groupName: string): Promise<void> {
    await this.changeMembership(username, groupName, (trx, groupId, userId) => q.deleteMembership(trx, groupId, userId));
  }

  private async changeMembership(username: string, groupName: string, change: (trx: Trx, groupId: number, userId: number) => Promise<void>): Promise<void> {
    await this.db.write(async (trx) => {
      const user = await this.users.requireUser(trx, username);
      const group = await this.requireGroup(groupName, trx);
      if (isBuiltIn(group.name)) throw new Invalid(`The members of the built-in group ${group.name} are computed and cannot be changed.`);
      await change(trx, group.id, user.id);
    });
  }

  // --- balances of all members ------------------------------------------------------------------

  /** Applies one balance rule to every member's personal account in one transaction; returns how many changed. */
  async changeMemberBalances(groupName: string, rule: BulkBalanceRule, kind: string, comment: string, accountName: string | undefined, actor: Actor): Promise<number> {
    const accounts = this.accounts;
    return this.db.write(async (trx) => {
      const group = await this.requireGroup(groupName, trx);
      return accounts.changePersonalBalancesOfUsers(trx, q.memberIdsQuery(trx, group), (accountName ?? "").trim(), rule, ledgerEntry(kind, comment, actor));
    });
  }

  async adjustUserAccountBalanceByGroup(groupName: string, amount: Micros, comment: string, accountName: string | undefined, actor: Actor): Promise<number> {
    return this.changeMemberBalances(groupName, { kind: "add", amount }, "adjustment", comment, accountName, actor);
  }

  /** Adds to each member's balance but never above `limit`; members already at or above it are left alone. */
  async adjustUserAccountBalanceByGroupUpTo(groupName: string, amount: Micros, limit: Micros, comment: string, accountName: string | undefined, actor: Actor): Promise<number> {
    return this.changeMemberBalances(groupName, { kind: "add-up-to", amount, limit }, "adjustment", comment, accountName, actor);
  }

  async setUserAccountBalanceByGroup(groupName: string, balance: Micros, comment: string, accountName: string | undefined, actor: Actor): Promise<number> {
    return this.changeMemberBalances(groupName, { kind: "set", balance }, "set-balance", comment, accountName, actor);
  }

  // --- quotas -----------------------------------------------------------------------------------

  async setGroupQuota(groupName: string, amount: Micros, period: string, maxAccumulation: Micros | undefined): Promise<void> {
    if (amount < 0) throw new Invalid("The quota amount must be zero or more.");
    if (maxAccumulation !== undefined && maxAccumulation < 0) throw new Invalid("The quota's maximum accumulation must be zero or more (0 means no limit).");
    const schedule = parseQuotaPeriod(period);
    await this.db.write(async (trx) => {
      const group = await this.requireGroup(groupName, trx);
      await q.updateGroup(trx, group.id, {
        quota_amount: amount,
        quota_period: schedule.period,
        quota_custom_dates: formatCustomDates(schedule.customDates),
        quota_max_accumulation: maxAccumulation ?? 0,
        quota_set_at: this.clock.now(),
      });
    });
  }

  async getGroupQuota(groupName: string): Promise<GroupQuota> {
    const group = await this.requireGroup(groupName);
    return { amount: group.quota_amount, period: group.quota_period as QuotaPeriod, maxAccumulation: group.quota_max_accumulation };
  }

  /** Groups whose quota may allocate: a period other than NONE and a positive amount. */
  async groupsWithQuota(): Promise<GroupRow[]> {
    return q.selectGroupsWithQuota(this.db.kysely);
  }

  scheduleOf(group: GroupRow): QuotaSchedule {
    return { period: group.quota_period as QuotaPeriod, customDates: parseCustomDates(group.quota_custom_dates) };
  }

  /**
   * Allocates one quota run to every member of the group, unless that run was already allocated (by an
   * earlier tick, before a restart, or by another node). Claim and credit are one transaction. Returns the
   * number of members credited, or undefined when the run had already been claimed.
   */
  async allocateQuotaRun(groupId: number, run: QuotaRun): Promise<number | undefined> {
    const { accounts, clock } = this;
    return this.db.write(async (trx) => {
      const group = await q.selectGroupById(trx, groupId);
      if (!group || group.quota_period === "NONE" || group.quota_amount <= 0) return undefined;
      if (!(await q.claimQuotaRun(trx, group.id, run.key, clock.now()))) return undefined;
      const cap = group.quota_max_accumulation;
      const rule: BulkBalanceRule = cap > 0 ? { kind: "add-up-to", amount: group.quota_amount, limit: cap } : { kind: "add", amount: group.quota_amount };
      const [period, date] = run.key.split(":");
      const comment = `Quota allocation: group ${group.name}, ${period.toLowerCase()} quota for ${date}`;
      const changed = await accounts.changePersonalBalancesOfUsers(trx, q.memberIdsQuery(trx, group), "", rule, { kind: "quota", comment, createdBy: "quota-scheduler" });
      await q.recordQuotaRunMembers(trx, group.id, run.key, changed);
      return changed;
    });
  }

  async quotaRunsOf(groupName: string): Promise<Array<{ run_key: string; allocated_at: number; members: number }>> {
    const group = await this.requireGroup(groupName);
    return q.selectQuotaRuns(this.db.kysely, group.id);
  }

  // --- initial user settings (new-user rules) ---------------------------------------------------

  /** Makes the group define new users' settings (or, with null, stop doing so). */
  async setInitialUserSettings(groupName: string, settings: GroupInitialSettings | null): Promise<void> {
    if (settings) checkInitialSettings(settings);
    await this.db.write(async (trx) => {
      const group = await this.requireGroup(groupName, trx);
      if (!settings) {
        await q.updateGroup(trx, group.id, { initial_settings_enabled: 0 });
        return;
      }
      await q.updateGroup(trx, group.id, {
        initial_settings_enabled: 1,
        initial_balance: settings.balance,
        initial_restricted: settings.restricted ? 1 : 0,
        initial_overdraft: settings.overdraft,
        initial_account_selection_mode: settings.accountSelectionMode,
        initial_can_charge_personal: settings.canChargePersonal ? 1 : 0,
        initial_can_charge_shared_from_list: settings.canChargeSharedFromList ? 1 : 0,
        initial_can_charge_shared_by_pin: settings.canChargeSharedByPin ? 1 : 0,
      });
    });
  }

  async getInitialUserSettings(groupName: string): Promise<GroupInitialSettings | null> {
    const group = await this.requireGroup(groupName);
    return group.initial_settings_enabled ? initialSettingsOf(group) : null;
  }

  /** The merged initial settings for a user from the groups they are in (the users feature's provider). */
  async initialSettingsFor(trx: Trx, user: { id: number; internal: 0 | 1 }): Promise<InitialUserSettings | undefined> {
    const groups = await q.selectRuleGroupsOfUser(trx, user);
    const allUsers = groups.find((g) => g.name === ALL_USERS);
    return mergeInitialSettings(
      groups.filter((g) => g.name !== ALL_USERS).map(initialSettingsOf),
      allUsers ? initialSettingsOf(allUsers) : undefined,
    );
  }

  /** The names of the groups whose members are stored (the built-in groups' members are computed), sorted. */
  async listStoredGroupNames(db: Db | Trx = this.db.kysely): Promise<string[]> {
    return (await q.selectAllGroupNames(db)).filter((name) => !isBuiltIn(name));
  }

  /** The group's id, creating the group when missing (directory sync). */
  async ensureGroup(trx: Trx, name: string, now: number): Promise<number> {
    return (await q.selectGroupId(trx, name)) ?? q.insertGroup(trx, name, now);
  }

  /** Makes the group's members exactly `userIds` (directory sync); returns how many were added and removed. */
  async replaceMembers(trx: Trx, groupId: number, userIds: readonly number[]): Promise<{ added: number; removed: number }> {
    const current = new Set(await q.selectMemberIds(trx, groupId));
    const wanted = new Set(userIds);
    const add = [...wanted].filter((id) => !current.has(id));
    const remove = [...current].filter((id) => !wanted.has(id));
    for (let i = 0; i < add.length; i += 500) await q.insertMembers(trx, groupId, add.slice(i, i + 500));
    for (let i = 0; i < remove.length; i += 500) await q.deleteMembers(trx, groupId, remove.slice(i, i + 500));
    return { added: add.length, removed: remove.length };
  }

  /** Adds users known not to be in the group yet (new users), 500 per statement. */
  async addNewMembers(trx: Trx, groupId: number, userIds: readonly number[]): Promise<void> {
    for (let i = 0; i < userIds.length; i += 500) await q.insertMembers(trx, groupId, userIds.slice(i, i + 500));
  }

  /** Adds one member if not yet in the group. */
  async addMember(trx: Trx, groupId: number, userId: number): Promise<void> {
    await q.insertMembership(trx, groupId, userId);
  }
}

function initialSettingsOf(group: GroupRow): GroupInitialSettings {
  return {
    balance: group.initial_balance,
    restricted: group.initial_restricted === 1,
    overdraft: group.initial_overdraft,
    accountSelectionMode: group.initial_account_selection_mode as InitialSelectionMode,
    canChargePersonal: group.initial_can_charge_personal === 1,
    canChargeSharedFromList: group.initial_can_charge_shared_from_list === 1,
    canChargeSharedByPin: group.initial_can_charge_shared_by_pin === 1,
  };
}
