// The one server-wide task status row. Claiming, appending and finishing are single conditional
// statements, so several nodes sharing the database agree on who runs the task.
import type { Db, Trx } from "../db/database.js";

const SLOT = 1;

export interface TaskStatusRow {
  name: string;
  completed: number;
  message: string;
  owner: string;
  heartbeat_at: number;
}

export async function selectTaskStatus(db: Db | Trx): Promise<TaskStatusRow | undefined> {
  return db.selectFrom("task_status").select(["name", "completed", "message", "owner", "heartbeat_at"]).where("slot", "=", SLOT).executeTakeFirst();
}

/**
 * Takes the slot for a new task when the previous one completed or its node stopped sending heartbeats
 * before `staleBefore`. Returns false when another task holds it.
 */
export async function claimTaskSlot(trx: Trx, name: string, owner: string, message: string, now: number, staleBefore: number): Promise<boolean> {
  const updated = await trx
    .updateTable("task_status")
    .set({ name, owner, message, completed: 0, started_at: now, heartbeat_at: now })
    .where("slot", "=", SLOT)
    .where((eb) => eb.or([eb("completed", "=", 1), eb("heartbeat_at", "<", staleBefore)]))
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) === 1) return true;
  const existing = await trx.selectFrom("task_status").select("slot").where("slot", "=", SLOT).executeTakeFirst();
  if (existing) return false;
  const inserted = await trx
    .insertInto("task_status")
    .values({ slot: SLOT, name, owner, message, completed: 0, started_at: now, heartbeat_at: now })
    .onConflict((oc) => oc.column("slot").doNothing())
    .returning("slot")
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Appends text to the message of the task this owner runs; optionally marks it completed. */
export async function appendTaskMessage(trx: Trx, owner: string, text: string, now: number, completed: boolean): Promise<void> {
  await trx
    .updateTable("task_status")
    .set((eb) => ({
      message: eb("message", "||", text),
      heartbeat_at: now,
      ...(completed ? { completed: 1 as const } : {}),
    }))
    .where("slot", "=", SLOT)
    .where("owner", "=", owner)
    .execute();
}

export async function touchTaskHeartbeat(trx: Trx, owner: string, now: number): Promise<void> {
  await trx.updateTable("task_status").set({ heartbeat_at: now }).where("slot", "=", SLOT).where("owner", "=", owner).where("completed", "=", 0).execute();
}
