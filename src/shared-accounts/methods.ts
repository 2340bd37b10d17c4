// API methods for shared accounts, including sub-accounts addressed as `Parent\Child`.
import { boolean, int, method, money, optional, pairs, returns, string, strings, type CallContext } from "../rpc/method-table.js";
import type { Actor } from "../users/service.js";

const actor = (ctx: CallContext): Actor => ({ application: ctx.caller.application });
const ok = async (work: Promise<unknown>): Promise<boolean> => {
  await work;
  return true;
};

export const sharedAccountMethods = [
  method("api.isSharedAccountExists", [string("sharedAccountName")], returns.boolean, { summary: "Whether a shared account with this name exists; never faults." }, ({ app }, name) =>
    app.sharedAccounts.isSharedAccountExists(name),
  ),
  method(
    "api.addNewSharedAccount",
    [string("sharedAccountName")],
    returns.boolean,
    { summary: "Creates a shared account; Parent\\Child creates a sub-account (and the parent, when it does not exist)." },
    ({ app }, name) => ok(app.sharedAccounts.addNewSharedAccount(name)),
  ),
  method(
    "api.deleteExistingSharedAccount",
    [string("sharedAccountName")],
    returns.boolean,
    { summary: "Deletes a shared account (a parent with its sub-accounts); its transaction history remains." },
    ({ app }, name) => ok(app.sharedAccounts.deleteExistingSharedAccount(name)),
  ),
  method(
    "api.renameSharedAccount",
    [string("currentSharedAccountName"), string("newSharedAccountName")],
    returns.boolean,
    { summary: "Renames a shared account keeping balance and history; renaming a parent renames its sub-accounts too." },
    ({ app }, from, to) => ok(app.sharedAccounts.renameSharedAccount(from, to)),
  ),
  method(
    "api.listSharedAccounts",
    [int("offset"), int("limit")],
    returns.strings,
    { summary: "Shared account names, each parent followed by its sub-accounts as Parent\\Child, paged by offset and limit." },
    ({ app }, offset, limit) => app.sharedAccounts.listSharedAccounts(offset, limit),
  ),
  method(
    "api.listUserSharedAccounts",
    [string("username"), int("offset"), int("limit"), optional(boolean("ignoreAccountMode"))],
    returns.strings,
    { summary: "The enabled shared accounts the user may charge through user or group access; empty when the user's account selection charges only the personal account, unless ignoreAccountMode." },
    ({ app }, username, offset, limit, ignore) => app.sharedAccounts.listUserSharedAccounts(username, offset, limit, ignore ?? false),
  ),
  method("api.getSharedAccountAccountBalance", [string("sharedAccountName")], returns.money, { summary: "The shared account's balance." }, ({ app }, name) =>
    app.sharedAccounts.getSharedAccountAccountBalance(name),
  ),
  method(
    "api.setSharedAccountAccountBalance",
    [string("sharedAccountName"), money("balance"), string("comment")],
    returns.boolean,
    { summary: "Sets the shared account's balance; the difference is logged as a transaction." },
    (ctx, name, balance, comment) => ok(ctx.app.sharedAccounts.setSharedAccountAccountBalance(name, balance, comment, actor(ctx))),
  ),
  method(
    "api.adjustSharedAccountAccountBalance",
    [string("sharedAccountName"), money("adjustment"), optional(string("comment"))],
    returns.boolean,
    { summary: "Adds a signed amount to the shared account's balance and logs a transaction." },
    (ctx, name, amount, comment) => ok(ctx.app.sharedAccounts.adjustSharedAccountAccountBalance(name, amount, comment ?? "", actor(ctx))),
  ),
  method(
    "api.getSharedAccountProperty",
    [string("sharedAccountName"), string("propertyName")],
    returns.string,
    { summary: "One shared account property as text." },
    async ({ app }, name, property) => {
      const [value] = await app.sharedAccounts.getSharedAccountProperties(name, [property]);
      return value;
    },
  ),
  method(
    "api.getSharedAccountProperties",
    [string("sharedAccountName"), strings("propertyNames")],
    returns.strings,
    { summary: "Several shared account properties, in the order asked; any bad name faults the whole call." },
    ({ app }, name, properties) => app.sharedAccounts.getSharedAccountProperties(name, properties),
  ),
  method(
    "api.setSharedAccountProperty",
    [string("sharedAccountName"), string("propertyName"), string("propertyValue")],
    returns.boolean,
    { summary: "Writes one shared account property from text." },
    (ctx, name, property, value) => ok(ctx.app.sharedAccounts.setSharedAccountProperties(name, [[property, value]], actor(ctx))),
  ),
  method(
    "api.setSharedAccountProperties",
    [string("sharedAccountName"), pairs("propertyNamesAndValues")],
    returns.boolean,
    { summary: "Writes several shared account properties, all or nothing." },
    (ctx, name, writes) => ok(ctx.app.sharedAccounts.setSharedAccountProperties(name, writes, actor(ctx))),
  ),
  method(
    "api.setSharedAccountOverdraftMode",
    [string("sharedAccountName"), string("mode")],
    returns.boolean,
    { summary: "Sets the overdraft mode: default (the system-wide overdraft) or individual (the account's overdraft-amount)." },
    ({ app }, name, mode) => ok(app.sharedAccounts.setSharedAccountOverdraftMode(name, mode)),
  ),
  method("api.getSharedAccountOverdraftMode", [string("sharedAccountName")], returns.string, { summary: "The overdraft mode, default or individual." }, ({ app }, name) =>
    app.sharedAccounts.getSharedAccountOverdraftMode(name),
  ),
  method(
    "api.addSharedAccountAccessUser",
    [string("sharedAccountName"), string("username")],
    returns.boolean,
    { summary: "Lets the user charge the account without its PIN; granting twice is harmless." },
    ({ app }, name, username) => ok(app.sharedAccounts.addSharedAccountAccessUser(name, username)),
  ),
  method(
    "api.removeSharedAccountAccessUser",
    [string("sharedAccountName"), string("username")],
    returns.boolean,
    { summary: "Revokes the user's access to the account; no access is fine." },
    ({ app }, name, username) => ok(app.sharedAccounts.removeSharedAccountAccessUser(name, username)),
  ),
  method(
    "api.addSharedAccountAccessGroup",
    [string("sharedAccountName"), string("groupName")],
    returns.boolean,
    { summary: "Lets the group's members charge the account without its PIN; granting twice is harmless." },
    ({ app }, name, group) => ok(app.sharedAccounts.addSharedAccountAccessGroup(name, group)),
  ),
  method(
    "api.removeSharedAccountAccessGroup",
    [string("sharedAccountName"), string("groupName")],
    returns.boolean,
    { summary: "Revokes the group's access to the account; no access is fine." },
    ({ app }, name, group) => ok(app.sharedAccounts.removeSharedAccountAccessGroup(name, group)),
  ),
  method(
    "api.disableSharedAccount",
    [string("sharedAccountName"), int("disableMins")],
    returns.boolean,
    { summary: "Disables the account for the given minutes; -1 until re-enabled (property disabled = false)." },
    ({ app }, name, minutes) => ok(app.sharedAccounts.disableSharedAccount(name, minutes)),
  ),
];
