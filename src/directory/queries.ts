// SQL of the directory sync: a savepoint per user when a batch is applied one user at a time.
import { sql } from "kysely";
import type { Trx } from "../db/database.js";

/** Runs `work` in a savepoint: if it throws, only its own changes are undone and the error is rethrown. */
export async function inSavepoint<T>(trx: Trx, work: () => Promise<T>): Promise<T> {
  await sql`savepoint directory_user`.execute(trx);
  try {
    const value = await work();
    await sql`release savepoint directory_user`.execute(trx);
    return value;
  } catch (error) {
    await sql`rollback to savepoint directory_user`.execute(trx);
    await sql`release savepoint directory_user`.execute(trx);
    throw error;
  }
}
