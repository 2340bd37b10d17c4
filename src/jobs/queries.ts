// The job log: one row per processed job, linked to its user, printer and the accounts it was charged to.
import type { Insertable, Selectable } from "kysely";
import type { Db, Trx } from "../db/database.js";
import type { JobTable } from "../db/schema.js";

export type JobRow = Selectable<JobTable>;

export interface JobFilter {
  userId?: number;
  printerId?: number;
  /** Jobs charged to, or allocated to, this account. */
  accountId?: number;
  /** Printed at or after (epoch ms). */
  from?: number;
  /** Printed before (epoch ms). */
  to?: number;
  offset?: number;
  limit?: number;
}

export async function insertJob(trx: Trx, values: Insertable<JobTable>): Promise<number> {
  const row = await trx.insertInto("jobs").values(values).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

export async function markJobDenied(trx: Trx, jobId: number, reason: string): Promise<void> {
  await trx.updateTable("jobs").set({ status: "DENIED", denied_reason: reason, charged: 0 }).where("id", "=", jobId).execute();
}

export async function selectJobs(db: Db | Trx, filter: JobFilter): Promise<JobRow[]> {
  let query = db.selectFrom("jobs").selectAll();
  if (filter.userId !== undefined) query = query.where("user_id", "=", filter.userId);
  if (filter.printerId !== undefined) query = query.where("printer_id", "=", filter.printerId);
  if (filter.accountId !== undefined) {
    const id = filter.accountId;
    query = query.where((eb) => eb.or([eb("account_id", "=", id), eb("shared_account_id", "=", id)]));
  }
  if (filter.from !== undefined) query = query.where("printed_at", ">=", filter.from);
  if (filter.to !== undefined) query = query.where("printed_at", "<", filter.to);
  return query
    .orderBy("printed_at")
    .orderBy("id")
    .limit(filter.limit ?? 1000)
    .offset(filter.offset ?? 0)
    .execute();
}
