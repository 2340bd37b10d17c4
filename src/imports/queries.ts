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

export async function insertSharedAccount(trx: Trx, values: { name: string; parent_id: number | null; created_at: number }): Promise<number> {
  const row = await trx
    .insertInto("accounts")
    .values({ account_type: "shared", name: values.name, parent_id: values.parent_id, created_at: values.created_at })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateSharedAccount(
  trx: Trx,
  id: number,
  patch: Partial<{ disabled: 0 | 1; pin: string; restricted: 0 | 1; invoice_option: string; comment_option: string; notes: string }>,
): Promise<void> {
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

export async function markSharedAccountsDeleted(trx: Trx, names: readonly string[], now: number): Promise<number> {
  if (names.length === 0) return 0;
  const result = await trx.updateTable("accounts").set({ deleted_at: now }).where("account_type", "=", "shared").where("deleted_at", "is", null).where("name", "in", names).executeTakeFirst();
  return Number(result.numUpdatedRows);
}
