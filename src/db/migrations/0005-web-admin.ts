// The admin web interface: the audit log of every admin and API change, and indexes for counting
// users and for the dashboard's per-day ledger charts.
import { sql, type Kysely } from "kysely";
import { idColumn, type MigrationContext } from "../migration-helpers.js";

export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable("audit")
    .addColumn("id", ...idColumn(ctx))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("source", "text", (c) => c.notNull())
    .addColumn("actor", "text", (c) => c.notNull())
    .addColumn("address", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("action", "text", (c) => c.notNull())
    .addColumn("target", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("detail", "text", (c) => c.notNull().defaultTo(""))
    .execute();
  await sql`create index audit_source on audit (source, id)`.execute(db);
  // Lets "how many live users" count an index instead of reading every (wide) user row.
  await sql`create index users_deleted on users (deleted_at)`.execute(db);
  // The admin users search matches the start of a username, full name or email case-insensitively
  // (users_email on lower(email) already exists).
  await sql`create index users_lower_username on users (lower(username)) where deleted_at is null`.execute(db);
  await sql`create index users_lower_full_name on users (lower(full_name)) where deleted_at is null`.execute(db);
  // Covers the dashboard's range aggregations (per day, per account) without touching the table.
  await sql`create index ledger_created on ledger (created_at, account_id, amount)`.execute(db);
}
