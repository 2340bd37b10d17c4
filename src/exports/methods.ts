// api.exportUserDataHistory (GDPR right of access) and api.createUserClientAccountsFile.
import { method, returns, string } from "../rpc/method-table.js";

export const exportMethods = [
  method(
    "api.exportUserDataHistory",
    [string("username"), string("saveLocation")],
    returns.boolean,
    { summary: "Writes CSV reports of everything recorded about a user into a folder on the server (GDPR right of access)." },
    async ({ app }, username, saveLocation) => {
      await app.exports.exportUserDataHistory(username, saveLocation);
      return true;
    },
  ),
  method(
    "api.createUserClientAccountsFile",
    [],
    returns.boolean,
    { summary: "Writes the shared-account list file for User Client installs (client/client-accounts.dat in the data directory)." },
    async ({ app }) => {
      await app.exports.createUserClientAccountsFile();
      return true;
    },
  ),
];
