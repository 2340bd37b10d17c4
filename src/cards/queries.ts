// Prepaid card rows. Redemption is one conditional UPDATE, so a card is used exactly once however many
// callers race for it.
import type { Selectable } from "kysely";
import type { Db, Trx } from "../db/database.js";
import type { CardTable } from "../db/schema.js";

export type CardRow = Selectable<CardTable>;

export async function selectCard(db: Db | Trx, cardNumber: string): Promise<CardRow | undefined> {
  return db.selectFrom("cards").selectAll().where("card_number", "=", cardNumber).executeTakeFirst();
}

export async function insertCard(trx: Trx, card: Omit<CardRow, "used_at" | "used_by">): Promise<void> {
  await trx.insertInto("cards").values(card).execute();
}

/** Marks the card used if it is still unused; false when another redemption got there first. */
export async function markCardUsed(trx: Trx, cardNumber: string, username: string, now: number): Promise<boolean> {
  const result = await trx
    .updateTable("cards")
    .set({ used_at: now, used_by: username })
    .where("card_number", "=", cardNumber)
    .where("used_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface CardBatchRow {
  batch_id: string;
  cards: number;
  redeemed: number;
  value: number;
  imported_at: number;
}

/** One row per batch: how many cards, how many redeemed, their total value and when it was imported. */
export async function selectCardBatches(db: Db | Trx): Promise<CardBatchRow[]> {
  const rows = await db
    .selectFrom("cards")
    .select((eb) => [
      "batch_id",
      eb.fn.countAll<string | number>().as("cards"),
      eb.fn.count<string | number>("used_at").as("redeemed"),
      eb.fn.sum<string | number>("value").as("value"),
      eb.fn.max("imported_at").as("imported_at"),
    ])
    .groupBy("batch_id")
    .orderBy("batch_id")
    .execute();
  return rows.map((r) => ({ batch_id: r.batch_id, cards: Number(r.cards), redeemed: Number(r.redeemed), value: Number(r.value), imported_at: Number(r.imported_at) }));
}
