// Printer rows, printer groups and access groups. Deleted printers keep their row (the job log points at
// it) with deleted_at set; every lookup here sees only live printers.
import type { Db, Trx } from "../db/database.js";
import { precompiled } from "../db/precompiled.js";
import type { PrinterRow } from "./properties.js";

type Q = Db | Trx;

/** The columns a job reads of its printer: identity, charging settings and whether it is disabled. */
export type JobPrinter = Pick<
  PrinterRow,
  "id" | "server_name" | "printer_name" | "display_name" | "cost_model" | "cost_per_page" | "advanced_config" | "disabled" | "disabled_until"
>;

// The job path's queries are compiled once (see db/precompiled.ts).
const jobPrinterByName = precompiled((db, displayName: string) =>
  db
    .selectFrom("printers")
    .select(["id", "server_name", "printer_name", "display_name", "cost_model", "cost_per_page", "advanced_config", "disabled", "disabled_until"])
    .where("display_name", "=", displayName)
    .where("deleted_at", "is", null),
);
const printerUsage = precompiled((db, id: number, pages: number) =>
  db
    .updateTable("printers")
    .set((eb) => ({ job_count: eb("job_count", "+", 1), page_count: eb("page_count", "+", pages) }))
    .where("id", "=", id),
);

export async function selectJobPrinter(db: Q, displayName: string): Promise<JobPrinter | undefined> {
  return jobPrinterByName.takeFirst(db, displayName);
}

export async function selectPrinter(db: Q, displayName: string): Promise<PrinterRow | undefined> {
  return db.selectFrom("printers").selectAll().where("display_name", "=", displayName).where("deleted_at", "is", null).executeTakeFirst();
}

/** Inserts a printer unless a live one of that name exists (a concurrent insert of the same name is not an error). */
export async function insertPrinterIfMissing(trx: Trx, values: Omit<PrinterRow, "id" | "deleted_at" | "job_count" | "page_count" | "counts_reset_by" | "counts_reset_at" | "disabled" | "disabled_until">): Promise<void> {
  await trx
    .insertInto("printers")
    .values(values)
    .onConflict((oc) => oc.column("display_name").where("deleted_at", "is", null).doNothing())
    .execute();
}

export async function updatePrinter(trx: Trx, id: number, patch: Partial<Omit<PrinterRow, "id">>): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await trx.updateTable("printers").set(patch).where("id", "=", id).execute();
}

/** Locks the row for the rest of the transaction on PostgreSQL (a no-op write) and reads it. */
export async function lockPrinter(trx: Trx, displayName: string): Promise<PrinterRow | undefined> {
  await trx
    .updateTable("printers")
    .set((eb) => ({ job_count: eb.ref("job_count") }))
    .where("display_name", "=", displayName)
    .where("deleted_at", "is", null)
    .execute();
  return selectPrinter(trx, displayName);
}

export async function addPrinterUsage(trx: Trx, id: number, pages: number): Promise<void> {
  await printerUsage.run(trx, id, pages);
}

export async function selectDisplayNames(db: Q, offset: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom("printers").select("display_name").where("deleted_at", "is", null).orderBy("display_name").limit(limit).offset(offset).execute();
  return rows.map((r) => r.display_name);
}

export async function countPrinters(db: Q): Promise<number> {
  const row = await db
    .selectFrom("printers")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("deleted_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function markServerPrintersDeleted(trx: Trx, server: string, now: number): Promise<number> {
  const rows = await trx.updateTable("printers").set({ deleted_at: now }).where("server_name", "=", server).where("deleted_at", "is", null).returning("id").execute();
  return rows.length;
}

export type GroupTable = "printer_groups" | "printer_access_groups";

export async function selectGroupNames(db: Q, table: GroupTable, printerId: number): Promise<string[]> {
  const rows = await db.selectFrom(table).select("group_name").where("printer_id", "=", printerId).orderBy("group_name").execute();
  return rows.map((r) => r.group_name);
}

export async function insertGroupName(trx: Trx, table: GroupTable, printerId: number, groupName: string): Promise<void> {
  await trx
    .insertInto(table)
    .values({ printer_id: printerId, group_name: groupName })
    .onConflict((oc) => oc.columns(["printer_id", "group_name"]).doNothing())
    .execute();
}

export async function deleteGroupName(trx: Trx, table: GroupTable, printerId: number, groupName: string): Promise<void> {
  await trx.deleteFrom(table).where("printer_id", "=", printerId).where("group_name", "=", groupName).execute();
}

export async function deleteAllGroupNames(trx: Trx, table: GroupTable, printerId: number): Promise<void> {
  await trx.deleteFrom(table).where("printer_id", "=", printerId).execute();
}
