// Shared-account access lists, group quotas and initial user settings, the durable record of quota
// allocations, admin access grants, and the two built-in groups.
import { sql, type Kysely } from "kysely";
import type { MigrationContext } from "../migration-helpers.js";

export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  const columns: Array<[string, "bigint" | "integer" | "text", number | string]> = [
    ["quota_amount", "bigint", 0],
    ["quota_period", "text", "NONE"],
    ["quota_custom_dates", "text", ""],
    ["quota_max_accumulation", "bigint", 0],
    ["quota_set_at", "bigint", 0],
    ["initial_settings_enabled", "integer", 0],
    ["initial_balance", "bigint", 0],
    ["initial_restricted", "integer", 0],
    ["initial_overdraft", "bigint", 0],
    ["initial_account_selection_mode", "text", "AUTO_CHARGE_TO_PERSONAL_ACCOUNT"],
    ["initial_can_charge_personal", "integer", 1],
    ["initial_can_charge_shared_from_list", "integer", 0],
    ["initial_can_charge_shared_by_pin", "integer", 0],
  ];
  // SQLite adds one column per ALTER TABLE statement.
  for (const [name, type, fallback] of columns) {
    await db.schema.alterTable("groups").addColumn(name, type, (c) => c.notNull().defaultTo(fallback)).execute();
  }

  await db.schema
    .createTable("shared_account_access_users")
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id"))
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
    .addPrimaryKeyConstraint("shared_account_access_users_pk", ["account_id", "user_id"])
    .execute();
  await sql`create index shared_account_access_users_user on shared_account_access_users (user_id)`.execute(db);

  await db.schema
    .createTable("shared_account_access_groups")
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id"))
    .addColumn("group_id", "bigint", (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addPrimaryKeyConstraint("shared_account_access_groups_pk", ["account_id", "group_id"])
    .execute();
  await sql`create index shared_account_access_groups_group on shared_account_access_groups (group_id)`.execute(db);

  // One row per group and quota run: inserting it is the claim that makes an allocation happen once,
  // whichever node or restart gets there first.
  await db.schema
    .createTable("quota_allocations")
    .addColumn("group_id", "bigint", (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addColumn("run_key", "text", (c) => c.notNull())
    .addColumn("allocated_at", "bigint", (c) => c.notNull())
    .addColumn("members", "bigint", (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint("quota_allocations_pk", ["group_id", "run_key"])
    .execute();

  await db.schema
    .createTable("admin_access_users")
    .addColumn("user_id", "bigint", (c) => c.primaryKey().references("users.id"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("admin_access_groups")
    .addColumn("group_id", "bigint", (c) => c.primaryKey().references("groups.id").onDelete("cascade"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();

  await sql`insert into groups (name, created_at) values ('!!All Users!!', 0), ('!!Internal Users!!', 0)`.execute(db);
}
