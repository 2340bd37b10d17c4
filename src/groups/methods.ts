// API methods for groups: the group list, memberships, balance changes by group, quotas, and re-applying
// the groups' initial user settings.
import { int, method, money, optional, returns, string, type CallContext } from "../rpc/method-table.js";
import type { Actor } from "../users/service.js";

const actor = (ctx: CallContext): Actor => ({ application: ctx.caller.application });
const ok = async (work: Promise<unknown>): Promise<boolean> => {
  await work;
  return true;
};

export const groupMethods = [
  method("api.isGroupExists", [string("groupName")], returns.boolean, { summary: "Whether the group is in the system's group list; never faults." }, ({ app }, name) =>
    app.groups.isGroupExists(name),
  ),
  method(
    "api.addNewGroup",
    [string("groupName")],
    returns.boolean,
    { summary: "Adds a group to the system's group list (members are added with addUserToGroup or by a directory sync)." },
    ({ app }, name) => ok(app.groups.addNewGroup(name)),
  ),
  method(
    "api.removeGroup",
    [string("groupName")],
    returns.boolean,
    { summary: "Removes a group from the system's list with its memberships, quota and access grants.", aliases: ["api.RemoveGroup"] },
    ({ app }, name) => ok(app.groups.removeGroup(name)),
  ),
  method("api.listUserGroups", [int("offset"), int("limit")], returns.strings, { summary: "Group names, sorted, paged by offset and limit (built-in groups included)." }, ({ app }, offset, limit) =>
    app.groups.listUserGroups(offset, limit),
  ),
  method("api.getUserGroups", [string("username")], returns.strings, { summary: "The groups the user is a member of, sorted." }, ({ app }, username) => app.groups.getUserGroups(username)),
  method(
    "api.getGroupMembers",
    [string("groupName"), optional(int("offset")), optional(int("limit"))],
    returns.strings,
    { summary: "Usernames of the group's members, sorted; paged by offset and limit, or all of them when both are omitted." },
    ({ app }, name, offset, limit) => app.groups.getGroupMembers(name, offset, limit),
  ),
  method("api.addUserToGroup", [string("username"), string("groupName")], returns.boolean, { summary: "Makes the user a member of the group; already a member is fine." }, ({ app }, username, group) =>
    ok(app.groups.addUserToGroup(username, group)),
  ),
  method(
    "api.removeUserFromGroup",
    [string("username"), string("groupName")],
    returns.boolean,
    { summary: "Removes the user from the group; not a member is fine." },
    ({ app }, username, group) => ok(app.groups.removeUserFromGroup(username, group)),
  ),
  method(
    "api.adjustUserAccountBalanceByGroup",
    [string("group"), money("adjustment"), string("comment"), optional(string("accountName"))],
    returns.boolean,
    { summary: "Adds a signed amount to every member's personal account, in one transaction, logging a transaction per member." },
    (ctx, group, amount, comment, accountName) => ok(ctx.app.groups.adjustUserAccountBalanceByGroup(group, amount, comment, accountName, actor(ctx))),
  ),
  method(
    "api.adjustUserAccountBalanceByGroupUpTo",
    [string("group"), money("adjustment"), money("limit"), string("comment"), optional(string("accountName"))],
    returns.boolean,
    { summary: "Adds to every member's balance but never above limit; members already at or above it are left alone." },
    (ctx, group, amount, limit, comment, accountName) => ok(ctx.app.groups.adjustUserAccountBalanceByGroupUpTo(group, amount, limit, comment, accountName, actor(ctx))),
  ),
  method(
    "api.setUserAccountBalanceByGroup",
    [string("group"), money("balance"), string("comment"), optional(string("accountName"))],
    returns.boolean,
    { summary: "Sets every member's balance; each difference is logged as a transaction." },
    (ctx, group, balance, comment, accountName) => ok(ctx.app.groups.setUserAccountBalanceByGroup(group, balance, comment, accountName, actor(ctx))),
  ),
  method(
    "api.setGroupQuota",
    [string("groupName"), money("quotaAmount"), string("period"), optional(money("quotaMaxAccumulation"))],
    returns.boolean,
    { summary: "Sets the group's quota: amount, period (NONE, DAILY, WEEKLY, MONTHLY or a list of dates yyyy-MM-dd with * wildcards) and the balance above which it stops accumulating (0 = no limit)." },
    ({ app }, group, amount, period, max) => ok(app.groups.setGroupQuota(group, amount, period, max)),
  ),
  method(
    "api.getGroupQuota",
    [string("groupName")],
    returns.struct({ QuotaAmount: "money", QuotaPeriod: "string", QuotaMaxAccumulation: "money" }),
    { summary: "The group's quota: QuotaAmount, QuotaPeriod (NONE, DAILY, WEEKLY, MONTHLY or CUSTOM) and QuotaMaxAccumulation." },
    async ({ app }, group) => {
      const quota = await app.groups.getGroupQuota(group);
      return { QuotaAmount: quota.amount, QuotaPeriod: quota.period, QuotaMaxAccumulation: quota.maxAccumulation };
    },
  ),
  method(
    "api.reapplyInitialUserSettings",
    [string("username")],
    returns.boolean,
    { summary: "Re-applies the initial settings of the user's groups (restriction, overdraft, account selection); the balance is left alone." },
    (ctx, username) => ok(ctx.app.users.reapplyInitialUserSettings(username, actor(ctx))),
  ),
];
