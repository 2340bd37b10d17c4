// The batch import methods; each starts a background task reported through api.getTaskStatus.
import { boolean, method, optional, returns, string, type CallContext } from "../rpc/method-table.js";
import type { Actor } from "../users/service.js";

const actor = (ctx: CallContext): Actor => ({ application: ctx.caller.application });

export const importMethods = [
  method(
    "api.batchImportUsers",
    [string("importFile"), boolean("createNewUsers"), optional(boolean("emailNewUsers"))],
    returns.boolean,
    { summary: "Starts an import/update of users from a tab-separated file on the server.", background: true },
    async (ctx, file, createNewUsers) => {
      await ctx.app.imports.batchImportUsers(file, createNewUsers, actor(ctx));
      return true;
    },
  ),
  method(
    "api.batchImportInternalUsers",
    [string("importFile"), boolean("overwriteExistingPasswords"), boolean("overwriteExistingPINs"), optional(boolean("emailUserOnCreation"))],
    returns.boolean,
    { summary: "Starts an import of internal users (with passwords and PINs) from a tab-separated file on the server.", background: true },
    async (ctx, file, overwritePasswords, overwritePins) => {
      await ctx.app.imports.batchImportInternalUsers(file, overwritePasswords, overwritePins, actor(ctx));
      return true;
    },
  ),
  method(
    "api.batchImportUserCardIdNumbers",
    [string("importFile"), boolean("overwriteExistingPINs")],
    returns.boolean,
    { summary: "Starts an import of users' card/ID numbers and PINs from a tab-separated file on the server.", background: true },
    async (ctx, file, overwritePins) => {
      await ctx.app.imports.batchImportUserCardIdNumbers(file, overwritePins, actor(ctx));
      return true;
    },
  ),
  method(
    "api.batchImportSharedAccounts",
    [string("importFile"), boolean("test"), boolean("deleteNonExistentAccounts")],
    returns.string,
    { summary: "Starts an import of shared accounts from a tab-separated file on the server, optionally as a test run that changes nothing.", background: true },
    (ctx, file, test, deleteMissing) => ctx.app.imports.batchImportSharedAccounts(file, test, deleteMissing, actor(ctx)),
  ),
];
