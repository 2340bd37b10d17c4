// API methods for the built-in admin account.
import { method, returns, string } from "../rpc/method-table.js";

export const securityMethods = [
  method(
    "api.changeInternalAdminPassword",
    [string("newPassword")],
    returns.boolean,
    { summary: "Sets the password of the built-in admin account, which is also accepted as an auth token; a blank password is refused." },
    async ({ app }, password) => {
      await app.security.changeAdminPassword(password);
      return true;
    },
  ),
];
