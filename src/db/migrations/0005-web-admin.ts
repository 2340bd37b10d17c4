// The admin web interface: the audit log of every admin and API change, and an index for the
// dashboard's per-day ledger charts.
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
  await sql`create index ledger_created on ledger (created_at)`.execute(db);
}
