// Background task status (one server-wide slot, shared by every node on the database), prepaid
// top-up cards, and an index for shared account PIN lookups.
import { sql, type Kysely } from "kysely";
import { nameText, type MigrationContext } from "../migration-helpers.js";

export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable("task_status")
    .addColumn("slot", "integer", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("completed", "integer", (c) => c.notNull())
    .addColumn("message", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("owner", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("started_at", "bigint", (c) => c.notNull())
    .addColumn("heartbeat_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("cards")
    .addColumn("card_number", "text", (c) => nameText(ctx)(c).primaryKey())
    .addColumn("batch_id", "text", (c) => c.notNull())
    .addColumn("value", "bigint", (c) => c.notNull())
    .addColumn("value_display", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("expires_on", "text", (c) => c.notNull())
    .addColumn("expires_display", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("imported_at", "bigint", (c) => c.notNull())
    .addColumn("used_at", "bigint")
    .addColumn("used_by", "text")
    .execute();
  await sql`create index cards_batch on cards (batch_id)`.execute(db);

  // Shared account PIN/codes must be unique: every import line checks, so the check needs an index.
  await sql`create index accounts_shared_pin on accounts (pin) where account_type = 'shared' and deleted_at is null`.execute(db);
}
