// API methods granting and revoking admin access.
import { method, returns, string } from "../rpc/method-table.js";

const ok = async (work: Promise<unknown>): Promise<boolean> => {
  await work;
  return true;
};

export const adminAccessMethods = [
  method("api.addAdminAccessUser", [string("username")], returns.boolean, { summary: "Gives a user the default admin rights; granting twice is harmless." }, ({ app }, username) =>
    ok(app.adminAccess.addAdminAccessUser(username)),
  ),
  method("api.removeAdminAccessUser", [string("username")], returns.boolean, { summary: "Takes a user's direct admin rights away (rights through a group remain)." }, ({ app }, username) =>
    ok(app.adminAccess.removeAdminAccessUser(username)),
  ),
  method("api.addAdminAccessGroup", [string("groupName")], returns.boolean, { summary: "Gives every member of a group the default admin rights." }, ({ app }, group) =>
    ok(app.adminAccess.addAdminAccessGroup(group)),
  ),
  method("api.removeAdminAccessGroup", [string("groupName")], returns.boolean, { summary: "Takes a group's admin rights away." }, ({ app }, group) =>
    ok(app.adminAccess.removeAdminAccessGroup(group)),
  ),
];
