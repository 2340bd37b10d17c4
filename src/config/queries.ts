// Config rows.
import type { Db, Trx } from "../db/database.js";

export async function selectAllConfig(db: Db | Trx): Promise<Array<{ key: string; value: string }>> {
  return db.selectFrom("config").select(["key", "value"]).execute();
}

export async function upsertConfig(db: Db | Trx, key: string, value: string, now: number): Promise<void> {
  await db
    .insertInto("config")
    .values({ key, value, updated_at: now })
    .onConflict((oc) => oc.column("key").doUpdateSet({ value, updated_at: now }))
    .execute();
}

export async function selectSecret(db: Db | Trx, name: string): Promise<string | undefined> {
  const row = await db.selectFrom("secret").select("value").where("name", "=", name).executeTakeFirst();
  return row?.value;
}

export async function upsertSecret(db: Db | Trx, name: string, value: string): Promise<void> {
  await db
    .insertInto("secret")
    .values({ name, value })
    .onConflict((oc) => oc.column("name").doUpdateSet({ value }))
    .execute();
}
