// User and group sync methods (background tasks) and addNewUser.
import { boolean, method, returns, string, type CallContext } from "../rpc/method-table.js";
import type { Actor } from "../users/service.js";

const actor = (ctx: CallContext): Actor => ({ application: ctx.caller.application });
const started = async (work: Promise<void>): Promise<boolean> => {
  await work;
  return true;
};

export const directoryMethods = [
  method("api.performUserAndGroupSync", [], returns.boolean, { summary: "Starts a user and group sync from the configured directory; never removes users.", background: true }, (ctx) =>
    started(ctx.app.directory.performUserAndGroupSync(actor(ctx))),
  ),
  method(
    "api.performUserAndGroupSyncAdvanced",
    [boolean("deleteNonExistentUsers"), boolean("updateUserDetails")],
    returns.boolean,
    { summary: "Starts a user and group sync, optionally deleting users missing from the directory and updating details.", background: true },
    (ctx, deleteMissing, updateDetails) => started(ctx.app.directory.performUserAndGroupSyncAdvanced(deleteMissing, updateDetails, actor(ctx))),
  ),
  method("api.performGroupSync", [], returns.boolean, { summary: "Starts a sync of group memberships from the directory.", background: true }, (ctx) =>
    started(ctx.app.directory.performGroupSync(actor(ctx))),
  ),
  method("api.addNewUsers", [], returns.boolean, { summary: "Starts a sync that only adds directory users not yet known here.", background: true }, (ctx) =>
    started(ctx.app.directory.addNewUsers(actor(ctx))),
  ),
  method(
    "api.syncGroup",
    [string("groupName")],
    returns.boolean,
    { summary: "Re-reads one group's membership from the directory, at once; true when done." },
    async (ctx, groupName) => {
      await ctx.app.directory.syncGroup(groupName);
      return true;
    },
  ),
  method("api.addNewUser", [string("username")], returns.boolean, { summary: "Creates one user who exists in the directory, with their group memberships." }, (ctx, username) =>
    started(ctx.app.directory.addNewUser(username, actor(ctx))),
  ),
];
