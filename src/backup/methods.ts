// api.performOnlineBackup.
import { method, returns } from "../rpc/method-table.js";

export const backupMethods = [
  method(
    "api.performOnlineBackup",
    [],
    returns.boolean,
    { summary: "Starts an online backup: a timestamped ZIP of a consistent snapshot of all data in the backups folder of the data directory.", background: true },
    async ({ app }) => {
      await app.backup.performOnlineBackup();
      return true;
    },
  ),
];
