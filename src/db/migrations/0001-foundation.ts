// Foundation tables: config, secrets, users, accounts (personal and shared) and the ledger.
import { sql, type Kysely } from "kysely";
import { idColumn, nameText, type MigrationContext } from "../migration-helpers.js";

export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable("config")
    .addColumn("key", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("updated_at", "bigint", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("secret")
    .addColumn("name", "text", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();

  let users = db.schema
    .createTable("users")
    .addColumn("id", ...idColumn(ctx))
    .addColumn("username", "text", nameText(ctx))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("deleted_at", "bigint")
    .addColumn("source", "text", (c) => c.notNull().defaultTo("api"));
  users = users.addColumn("full_name", "text", (c) => nameText(ctx)(c).defaultTo(""));
  for (const col of ["email", "department", "office", "notes", "home", "delegated_users", "delegated_groups", "other_emails", "auto_shared_account", "default_shared_account"]) {
    users = users.addColumn(col, "text", (c) => c.notNull().defaultTo(""));
  }
  for (const col of ["primary_card", "secondary_card", "card_pin_hash", "password_hash", "username_alias", "counts_reset_by"]) {
    users = users.addColumn(col, "text");
  }
  for (const col of ["internal", "unauthenticated", "disabled_print", "disabled_net", "dont_hold_jobs", "dont_apply_filters", "dont_archive", "auto_release_jobs", "can_charge_personal", "can_charge_shared_from_list", "can_charge_shared_by_pin", "can_print_as_other_user", "charge_personal_when_shared"]) {
    users = users.addColumn(col, "integer", (c) => c.notNull().defaultTo(0));
  }
  users = users
    .addColumn("disabled_print_until", "bigint")
    .addColumn("job_count", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("page_count", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("net_data_mb", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("net_time_hours", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("cost_adjustment_percent", "bigint")
    .addColumn("account_selection_mode", "text", (c) => c.notNull().defaultTo("AUTO_CHARGE_TO_PERSONAL_ACCOUNT"))
    .addColumn("counts_reset_at", "bigint");
  await users.execute();
  await sql`create unique index users_username on users (username) where deleted_at is null`.execute(db);
  await sql`create unique index users_primary_card on users (primary_card) where deleted_at is null and primary_card is not null`.execute(db);
  await sql`create unique index users_secondary_card on users (secondary_card) where deleted_at is null and secondary_card is not null`.execute(db);
  await sql`create index users_email on users (lower(email)) where deleted_at is null`.execute(db);
  await sql`create index users_alias on users (username_alias) where deleted_at is null`.execute(db);
  await sql`create index users_full_name on users (full_name) where deleted_at is null`.execute(db);

  await db.schema
    .createTable("accounts")
    .addColumn("id", ...idColumn(ctx))
    .addColumn("account_type", "text", (c) => c.notNull())
    .addColumn("user_id", "bigint", (c) => c.references("users.id"))
    .addColumn("sub_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("name", "text", (c) => nameText(ctx)(c).defaultTo(""))
    .addColumn("parent_id", "bigint", (c) => c.references("accounts.id"))
    .addColumn("balance", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("restricted", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("overdraft_mode", "text", (c) => c.notNull().defaultTo("default"))
    .addColumn("overdraft_amount", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("disabled_until", "bigint")
    .addColumn("pin", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("notes", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("comment_option", "text", (c) => c.notNull().defaultTo("COMMENT_OPTIONAL"))
    .addColumn("invoice_option", "text", (c) => c.notNull().defaultTo("USER_CHOICE_OFF"))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("deleted_at", "bigint")
    .execute();
  await sql`create unique index accounts_personal on accounts (user_id, sub_name) where account_type = 'personal' and deleted_at is null`.execute(db);
  await sql`create unique index accounts_shared_name on accounts (name) where account_type = 'shared' and deleted_at is null`.execute(db);
  await sql`create index accounts_parent on accounts (parent_id)`.execute(db);

  await db.schema
    .createTable("ledger")
    .addColumn("id", ...idColumn(ctx))
    .addColumn("account_id", "bigint", (c) => c.notNull().references("accounts.id"))
    .addColumn("amount", "bigint", (c) => c.notNull())
    .addColumn("balance_after", "bigint", (c) => c.notNull())
    .addColumn("kind", "text", (c) => c.notNull())
    .addColumn("comment", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_by", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("job_id", "bigint")
    .execute();
  await sql`create index ledger_account on ledger (account_id, id)`.execute(db);

  await db.schema
    .createTable("groups")
    .addColumn("id", ...idColumn(ctx))
    .addColumn("name", "text", nameText(ctx))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .execute();
  await sql`create unique index groups_name on groups (name)`.execute(db);

  await db.schema
    .createTable("group_members")
    .addColumn("group_id", "bigint", (c) => c.notNull().references("groups.id").onDelete("cascade"))
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
    .addPrimaryKeyConstraint("group_members_pk", ["group_id", "user_id"])
    .execute();
  await sql`create index group_members_user on group_members (user_id)`.execute(db);
}
