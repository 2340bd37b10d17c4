// SQL of the batch imports: per-line savepoints, and the shared account rows the shared account
// import creates, updates and deletes.
import { sql } from "kysely";
import type { Db, Trx } from "../db/database.js";

/** Runs `work` in a savepoint: if it throws, only its own changes are undone and the error is rethrown. */
export async function inSavepoint<T>(trx: Trx, work: () => Promise<T>): Promise<T> {
  await sql`savepoint import_line`.execute(trx);
  try {
    const value = await work();
    await sql`release savepoint import_line`.execute(trx);
    return value;
  } catch (error) {
    await sql`rollback to savepoint import_line`.execute(trx);
    await sql`release savepoint import_line`.execute(trx);
    throw error;
  }
}

export async function selectLiveSharedAccountNames(db: Db | Trx): Promise<string[]> {
  const rows = await db.selectFrom("accounts").select("name").where("account_type", "=", "shared").where("deleted_at", "is", null).orderBy("name").execute();
  return rows.map((r) => r.name);
}

export async function insertSharedAccount(trx: Trx, values: { name: string; parent_id: number | null; created_at: number } & SharedAccountPatch): Promise<number> {
  const row = await trx
    .insertInto("accounts")
    .values({ account_type: "shared", ...values })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

/**
 * Inserts new shared accounts that all set the same columns, in one statement; returns their ids by
 * full name. Balances start at zero (opening balances go through the accounts feature).
 */
export async function insertSharedAccounts(
  trx: Trx,
  rows: ReadonlyArray<{ name: string; parent_id: number | null; created_at: number } & SharedAccountPatch>,
): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (rows.length === 0) return ids;
  const inserted = await trx
    .insertInto("accounts")
    .values(rows.map((r) => ({ account_type: "shared" as const, ...r })))
    .returning(["id", "name"])
    .execute();
  for (const r of inserted) ids.set(r.name, r.id);
  return ids;
}

/** Applies the same patch to many shared accounts in one statement. */
export async function updateSharedAccounts(trx: Trx, ids: readonly number[], patch: SharedAccountPatch): Promise<void> {
  if (ids.length === 0 || Object.keys(patch).length === 0) return;
  await trx.updateTable("accounts").set(patch).where("id", "in", ids).execute();
}

export type SharedAccountPatch = Partial<{ disabled: 0 | 1; pin: string; restricted: 0 | 1; invoice_option: string; comment_option: string; notes: string }>;

export async function updateSharedAccount(trx: Trx, id: number, patch: SharedAccountPatch): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await trx.updateTable("accounts").set(patch).where("id", "=", id).execute();
}

/** Another live shared account already using this PIN/code, if any. */
export async function selectSharedAccountIdByPin(db: Db | Trx, pin: string, exceptId: number): Promise<number | undefined> {
  const row = await db
    .selectFrom("accounts")
    .select("id")
    .where("account_type", "=", "shared")
    .where("deleted_at", "is", null)
    .where("pin", "=", pin)
    .where("id", "<>", exceptId)
    .executeTakeFirst();
  return row?.id;
}

/** The live shared accounts using any of `pins`, as pin → account id (one statement per batch). */
export async function selectSharedAccountIdsByPins(db: Db | Trx, pins: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (pins.length === 0) return out;
  const rows = await db.selectFrom("accounts").select(["id", "pin"]).where("account_type", "=", "shared").where("deleted_at", "is", null).where("pin", "in", pins).execute();
  // A PIN already shared by two accounts maps to -1: every line setting it then takes the checked path.
  for (const r of rows) out.set(r.pin, out.has(r.pin) ? -1 : r.id);
  return out;
}

export async function markSharedAccountsDeleted(trx: Trx, names: readonly string[], now: number): Promise<number> {
  if (names.length === 0) return 0;
  const result = await trx.updateTable("accounts").set({ deleted_at: now }).where("account_type", "=", "shared").where("deleted_at", "is", null).where("name", "in", names).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
