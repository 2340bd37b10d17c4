// The in-code map of versioned migrations, applied in name order. Add a file per change; never edit a shipped one.
import { Migrator, type Kysely, type Migration } from "kysely";
import type { MigrationContext } from "./migration-helpers.js";
import * as foundation from "./migrations/0001-foundation.js";
import * as sharedAccountsGroups from "./migrations/0002-shared-accounts-groups.js";
import * as printersJobs from "./migrations/0003-printers-jobs.js";
import * as tasksCardsDirectory from "./migrations/0004-tasks-cards-directory.js";
import * as webAdmin from "./migrations/0005-web-admin.js";
import * as usersDeletedIndex from "./migrations/0006-users-deleted-partial-index.js";
import * as usersListVersion from "./migrations/0007-users-list-version.js";
import * as ledgerIndexTrim from "./migrations/0008-ledger-index-trim.js";

type Step = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

const steps: Record<string, Step> = {
  "0001-foundation": foundation,
  "0002-shared-accounts-groups": sharedAccountsGroups,
  "0003-printers-jobs": printersJobs,
  "0004-tasks-cards-directory": tasksCardsDirectory,
  "0005-web-admin": webAdmin,
  "0006-users-deleted-partial-index": usersDeletedIndex,
  "0007-users-list-version": usersListVersion,
  "0008-ledger-index-trim": ledgerIndexTrim,
};

export async function migrateToLatest(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, step] of Object.entries(steps)) migrations[name] = { up: (k) => step.up(k, ctx) };
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error } = await migrator.migrateToLatest();
  if (error) throw error;
}
