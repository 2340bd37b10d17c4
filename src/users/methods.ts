// API methods for users and their personal accounts.
import { boolean, int, method, money, optional, pairs, returns, string, strings, type CallContext } from "../rpc/method-table.js";
import type { Actor } from "./service.js";
import type { AppContext } from "../context.js";
import { userNotFound } from "../kernel/errors.js";
import { advancedPopup, autoChargePersonal, autoSelectSharedAccount, standardPopup } from "./account-selection.js";

const actor = (ctx: CallContext): Actor => ({ application: ctx.caller.application });
const ok = async (work: Promise<unknown>): Promise<boolean> => {
  await work;
  return true;
};

export const userMethods = [
  method("api.isUserExists", [string("username")], returns.boolean, { summary: "Whether a user with this exact username exists; never faults for unknown names." }, ({ app }, username) =>
    app.users.isUserExists(username),
  ),
  method(
    "api.getUserAccountBalance",
    [string("username"), optional(string("accountName"))],
    returns.money,
    { summary: "The user's balance: the total of their personal accounts, or one named personal account." },
    ({ app }, username, accountName) => app.users.getUserAccountBalance(username, accountName),
  ),
  method("api.getUserProperty", [string("username"), string("propertyName")], returns.string, { summary: "One user property as text." }, async ({ app }, username, name) => {
    const [value] = await app.users.getUserProperties(username, [name]);
    return value;
  }),
  method(
    "api.getUserProperties",
    [string("username"), strings("propertyNames")],
    returns.strings,
    { summary: "Several user properties, in the order asked; any bad name faults the whole call." },
    ({ app }, username, names) => app.users.getUserProperties(username, names),
  ),
  method(
    "api.setUserProperty",
    [string("username"), string("propertyName"), string("propertyValue")],
    returns.boolean,
    { summary: "Writes one user property from text." },
    (ctx, username, name, value) => ok(ctx.app.users.setUserProperties(username, [[name, value]], actor(ctx))),
  ),
  method(
    "api.setUserProperties",
    [string("username"), pairs("propertyNamesAndValues")],
    returns.boolean,
    { summary: "Writes several user properties, all or nothing." },
    (ctx, username, writes) => ok(ctx.app.users.setUserProperties(username, writes, actor(ctx))),
  ),
  method(
    "api.adjustUserAccountBalance",
    [string("username"), money("adjustment"), string("comment"), optional(string("accountName"))],
    returns.boolean,
    { summary: "Adds a signed amount to the user's personal account, unbounded by credit, and logs a transaction." },
    (ctx, username, amount, comment, accountName) => ok(ctx.app.users.adjustUserAccountBalance(username, amount, comment, accountName, actor(ctx))),
  ),
  method(
    "api.adjustUserAccountBalanceIfAvailable",
    [string("username"), money("adjustment"), string("comment"), optional(string("accountName"))],
    returns.boolean,
    { summary: "Applies the adjustment only if the user has the credit for it; false (and no change) otherwise." },
    (ctx, username, amount, comment, accountName) => ctx.app.users.adjustUserAccountBalanceIfAvailable(username, amount, 0, comment, accountName, actor(ctx)),
  ),
  method(
    "api.adjustUserAccountBalanceIfAvailableLeaveRemaining",
    [string("username"), money("adjustment"), money("leaveRemaining"), string("comment"), optional(string("accountName"))],
    returns.boolean,
    { summary: "Applies the adjustment only if at least leaveRemaining credit is still available afterwards." },
    (ctx, username, amount, leave, comment, accountName) => ctx.app.users.adjustUserAccountBalanceIfAvailable(username, amount, leave, comment, accountName, actor(ctx)),
  ),
  method(
    "api.adjustUserAccountBalanceByCardNumber",
    [string("cardNumber"), money("adjustment"), string("comment"), optional(string("accountName"))],
    returns.boolean,
    { summary: "Adjusts the balance of the user holding the card; false when no user has it." },
    (ctx, card, amount, comment, accountName) => ctx.app.users.adjustUserAccountBalanceByCardNumber(card, amount, comment, accountName, actor(ctx)),
  ),
  method(
    "api.setUserAccountBalance",
    [string("username"), money("balance"), string("comment"), optional(string("accountName"))],
    returns.boolean,
    { summary: "Sets the balance to an absolute value; the difference is logged as a transaction." },
    (ctx, username, balance, comment, accountName) => ok(ctx.app.users.setUserAccountBalance(username, balance, comment, accountName, actor(ctx))),
  ),
  method(
    "api.setUserOverdraftMode",
    [string("username"), string("mode")],
    returns.boolean,
    { summary: "Sets the overdraft mode: default (the system-wide overdraft) or individual (the user's overdraft-amount)." },
    ({ app }, username, mode) => ok(app.users.setUserOverdraftMode(username, mode)),
  ),
  method("api.getUserOverdraftMode", [string("username")], returns.string, { summary: "The overdraft mode, default or individual." }, ({ app }, username) =>
    app.users.getUserOverdraftMode(username),
  ),
  method("api.resetUserCounts", [string("username"), string("resetBy")], returns.boolean, { summary: "Zeroes the user's job and page counts, recording who reset them." }, ({ app }, username, by) =>
    ok(app.users.resetUserCounts(username, by)),
  ),
  method(
    "api.disablePrintingForUser",
    [string("username"), int("disableMins")],
    returns.boolean,
    { summary: "Disables printing for the given minutes; -1 until re-enabled (property disabled-print = false)." },
    ({ app }, username, minutes) => ok(app.users.disablePrintingForUser(username, minutes)),
  ),
  method(
    "api.renameUserAccount",
    [string("currentUserName"), string("newUserName")],
    returns.boolean,
    { summary: "Renames a user, keeping balance, history and settings." },
    ({ app }, from, to) => ok(app.users.renameUserAccount(from, to)),
  ),
  method(
    "api.deleteExistingUser",
    [string("username"), optional(boolean("redactUserData"))],
    returns.boolean,
    { summary: "Deletes a user; history remains, with identifying data redacted when redactUserData is true." },
    ({ app }, username, redact) => ok(app.users.deleteExistingUser(username, redact ?? false)),
  ),
  method(
    "api.addNewInternalUser",
    [string("username"), string("password"), string("fullName"), string("email"), string("cardId"), string("pin"), optional(boolean("sendEmail"))],
    returns.boolean,
    { summary: "Creates an internal user; the name must be printable and free of /, \\ and @." },
    (ctx, username, password, fullName, email, cardId, pin) => ok(ctx.app.users.addNewInternalUser({ username, password, fullName, email, cardId, pin }, actor(ctx))),
  ),
  method("api.lookUpUserNameByIDNo", [string("idNo")], returns.string, { summary: "The user holding this ID (card) number, or an empty string." }, ({ app }, id) =>
    app.users.lookUpUserNameByCardNo(id),
  ),
  method("api.lookUpUserNameByCardNo", [string("cardNo")], returns.string, { summary: "The user holding this primary or secondary card number, or an empty string." }, ({ app }, card) =>
    app.users.lookUpUserNameByCardNo(card),
  ),
  method("api.lookUpUserNameByEmail", [string("email")], returns.string, { summary: "The user with this email address (any case), or an empty string." }, ({ app }, email) =>
    app.users.lookUpUserNameByEmail(email),
  ),
  method(
    "api.lookUpUserNameBySecondaryUserName",
    [string("secondaryUserName")],
    returns.string,
    { summary: "The user whose username-alias this is, or an empty string." },
    ({ app }, alias) => app.users.lookUpUserNameBySecondaryUserName(alias),
  ),
  method("api.lookUpUsersByFullName", [string("fullName")], returns.strings, { summary: "Every user whose full name matches exactly, sorted." }, ({ app }, name) =>
    app.users.lookUpUsersByFullName(name),
  ),
  method("api.listUserAccounts", [int("offset"), int("limit")], returns.strings, { summary: "Usernames, sorted, paged by offset and limit." }, ({ app }, offset, limit) =>
    app.users.listUserAccounts(offset, limit),
  ),
  method("api.getTotalUsers", [], returns.int, { summary: "The number of users." }, ({ app }) => app.users.getTotalUsers()),
  method(
    "api.clearUserAdvancedPrinterSettings",
    [string("username")],
    returns.boolean,
    { summary: "Resets the user's advanced printer settings to their defaults." },
    ({ app }, username) => ok(app.users.clearUserAdvancedPrinterSettings(username)),
  ),
];

async function requireUser(app: AppContext, username: string): Promise<void> {
  if (!(await app.users.isUserExists(username))) throw userNotFound(username);
}

/** A popup's default shared account: blank for none, otherwise an existing account (checked after the user). */
async function defaultSharedAccountOf(app: AppContext, username: string, name: string | undefined): Promise<string> {
  await requireUser(app, username);
  const t = (name ?? "").trim();
  return t === "" ? "" : app.sharedAccounts.checkSharedAccountExists(t);
}

export const accountSelectionMethods = [
  method(
    "api.setUserAccountSelectionAutoChargePersonal",
    [string("username"), optional(boolean("withPopupConfirmation"))],
    returns.boolean,
    { summary: "Charges the user's jobs to their personal account, optionally after a confirmation popup." },
    ({ app }, username, confirm) => ok(app.users.setAccountSelection(username, autoChargePersonal(confirm ?? false))),
  ),
  method(
    "api.setUserAccountSelectionAutoSelectSharedAccount",
    [string("username"), string("accountName"), boolean("chargeToPersonal")],
    returns.boolean,
    { summary: "Charges the user's jobs to one shared account (or bills the personal account and records the shared one)." },
    async ({ app }, username, accountName, chargeToPersonal) => {
      await requireUser(app, username);
      const shared = await app.sharedAccounts.checkSharedAccountExists(accountName);
      return ok(app.users.setAccountSelection(username, autoSelectSharedAccount(shared, chargeToPersonal)));
    },
  ),
  method(
    "api.setUserAccountSelectionStandardPopup",
    [
      string("username"),
      boolean("allowPersonal"),
      boolean("allowListSelection"),
      boolean("allowPinCode"),
      boolean("allowPrintingAsOtherUser"),
      boolean("chargeToPersonalWhenSharedSelected"),
      optional(string("defaultSharedAccount")),
    ],
    returns.boolean,
    { summary: "Shows the standard account selection popup with the given options." },
    async ({ app }, username, allowPersonal, allowListSelection, allowPinCode, allowPrintingAsOtherUser, chargeToPersonalWhenSharedSelected, defaultSharedAccount) => {
      const shared = await defaultSharedAccountOf(app, username, defaultSharedAccount);
      return ok(
        app.users.setAccountSelection(
          username,
          standardPopup({ allowPersonal, allowListSelection, allowPinCode, allowPrintingAsOtherUser, chargeToPersonalWhenSharedSelected, defaultSharedAccount: shared }),
        ),
      );
    },
  ),
  method(
    "api.setUserAccountSelectionAdvancedPopup",
    [string("username"), boolean("allowPersonal"), boolean("chargeToPersonalWhenSharedSelected"), optional(string("defaultSharedAccount"))],
    returns.boolean,
    { summary: "Shows the advanced account selection popup with the given options." },
    async ({ app }, username, allowPersonal, chargeToPersonalWhenSharedSelected, defaultSharedAccount) => {
      const shared = await defaultSharedAccountOf(app, username, defaultSharedAccount);
      return ok(app.users.setAccountSelection(username, advancedPopup({ allowPersonal, chargeToPersonalWhenSharedSelected, defaultSharedAccount: shared })));
    },
  ),
];
