// Printers (with their groups, access groups and settings), the job log, and job/page counters on
// shared accounts.
import { sql, type Kysely } from "kysely";
import { idColumn, nameText, type MigrationContext } from "../migration-helpers.js";

/** The record PaperCut lists as `!!template printer!!`: new printers copy its charging settings. */
export const TEMPLATE_PRINTER_NAME = "!!template printer!!";

export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  let printers = db.schema
    .createTable("printers")
    .addColumn("id", ...idColumn(ctx))
    .addColumn("server_name", "text", nameText(ctx))
    .addColumn("printer_name", "text", nameText(ctx))
    // `server\printer` (or the bare template name): the listing order and the unique name.
    .addColumn("display_name", "text", nameText(ctx))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("deleted_at", "bigint")
    .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("disabled_until", "bigint")
    .addColumn("cost_model", "text", (c) => c.notNull().defaultTo("SIMPLE"))
    .addColumn("cost_per_page", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("advanced_config", "text", (c) => c.notNull().defaultTo("{}"))
    .addColumn("virtual", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("device_functions", "text", (c) => c.notNull().defaultTo(""));
  for (let i = 1; i <= 6; i++) printers = printers.addColumn(`custom_field_${i}`, "text", (c) => c.notNull().defaultTo(""));
  printers = printers
    .addColumn("job_count", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("page_count", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("counts_reset_by", "text")
    .addColumn("counts_reset_at", "bigint");
  await printers.execute();
  await sql`create unique index printers_display_name on printers (display_name) where deleted_at is null`.execute(db);
  await sql`create index printers_server on printers (server_name) where deleted_at is null`.execute(db);
  await sql`insert into printers (server_name, printer_name, display_name, created_at) values ('', ${TEMPLATE_PRINTER_NAME}, ${TEMPLATE_PRINTER_NAME}, 0)`.execute(db);

  await db.schema
    .createTable("printer_groups")
    .addColumn("printer_id", "bigint", (c) => c.notNull().references("printers.id"))
    .addColumn("group_name", "text", nameText(ctx))
    .addPrimaryKeyConstraint("printer_groups_pk", ["printer_id", "group_name"])
    .execute();

  await db.schema
    .createTable("printer_access_groups")
    .addColumn("printer_id", "bigint", (c) => c.notNull().references("printers.id"))
    .addColumn("group_name", "text", nameText(ctx))
    .addPrimaryKeyConstraint("printer_access_groups_pk", ["printer_id", "group_name"])
    .execute();

  let jobs = db.schema
    .createTable("jobs")
    .addColumn("id", ...idColumn(ctx))
    .addColumn("created_at", "bigint", (c) => c.notNull())
    .addColumn("printed_at", "bigint", (c) => c.notNull())
    .addColumn("user_id", "bigint", (c) => c.notNull().references("users.id"))
    .addColumn("username", "text", (c) => c.notNull())
    .addColumn("printer_id", "bigint", (c) => c.notNull().references("printers.id"))
    .addColumn("server_name", "text", (c) => c.notNull())
    .addColumn("printer_name", "text", (c) => c.notNull())
    // The account charged (personal or shared), and the shared account the job is allocated to.
    .addColumn("account_id", "bigint", (c) => c.references("accounts.id"))
    .addColumn("shared_account_id", "bigint", (c) => c.references("accounts.id"))
    .addColumn("shared_account_name", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("status", "text", (c) => c.notNull())
    .addColumn("denied_reason", "text", (c) => c.notNull().defaultTo(""))
    .addColumn("cost", "bigint", (c) => c.notNull())
    .addColumn("cost_given", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("charged", "bigint", (c) => c.notNull().defaultTo(0))
    .addColumn("total_pages", "bigint", (c) => c.notNull())
    .addColumn("color_pages", "bigint", (c) => c.notNull())
    .addColumn("copies", "bigint", (c) => c.notNull())
    .addColumn("duplex", "integer", (c) => c.notNull())
    .addColumn("grayscale", "integer", (c) => c.notNull())
    .addColumn("job_type", "text", (c) => c.notNull())
    .addColumn("invoice", "integer", (c) => c.notNull())
    .addColumn("document_size_kb", "bigint", (c) => c.notNull());
  for (const col of ["document_name", "paper_size_name", "paper_width_mm", "paper_height_mm", "comment", "client_machine", "client_ip", "created_by"]) {
    jobs = jobs.addColumn(col, "text", (c) => c.notNull().defaultTo(""));
  }
  await jobs.execute();
  await sql`create index jobs_user on jobs (user_id, printed_at)`.execute(db);
  await sql`create index jobs_printer on jobs (printer_id, printed_at)`.execute(db);
  await sql`create index jobs_account on jobs (account_id, printed_at)`.execute(db);
  await sql`create index jobs_shared_account on jobs (shared_account_id, printed_at)`.execute(db);
  await sql`create index jobs_printed_at on jobs (printed_at)`.execute(db);
  await sql`create index ledger_job on ledger (job_id)`.execute(db);
  await sql`create index ledger_created_at on ledger (created_at)`.execute(db);

  // Charging looks up a user's personal account per job; the partial unique index on accounts cannot
  // serve a query whose account_type is a bound parameter, so SQLite would scan the table.
  await sql`create index accounts_user on accounts (user_id)`.execute(db);
  await db.schema.alterTable("accounts").addColumn("job_count", "bigint", (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable("accounts").addColumn("page_count", "bigint", (c) => c.notNull().defaultTo(0)).execute();
}
