// The job log: one row per processed job, linked to its user, printer and the accounts it was charged to.
import type { Insertable, Selectable } from "kysely";
import type { Db, Trx } from "../db/database.js";
import { precompiled } from "../db/precompiled.js";
import type { JobTable } from "../db/schema.js";

export type JobRow = Selectable<JobTable>;

/** Every column a job row is written with: the insert always names them all, so it compiles once. */
export type NewJob = Required<Omit<Insertable<JobTable>, "id">>;

const JOB_COLUMNS = [
  "created_at",
  "printed_at",
  "user_id",
  "username",
  "printer_id",
  "server_name",
  "printer_name",
  "account_id",
  "shared_account_id",
  "shared_account_name",
  "status",
  "denied_reason",
  "cost",
  "cost_given",
  "charged",
  "total_pages",
  "color_pages",
  "copies",
  "duplex",
  "grayscale",
  "job_type",
  "invoice",
  "document_size_kb",
  "document_name",
  "paper_size_name",
  "paper_width_mm",
  "paper_height_mm",
  "comment",
  "client_machine",
  "client_ip",
  "created_by",
] as const satisfies ReadonlyArray<keyof NewJob>;
// Fails to compile if a column of the table is missing from JOB_COLUMNS.
const allColumnsListed: Exclude<keyof NewJob, (typeof JOB_COLUMNS)[number]> extends never ? true : never = true;
void allColumnsListed;

// Compiled once (see db/precompiled.ts): one placeholder per column, in JOB_COLUMNS order.
const jobInsert = precompiled((db, ...values: unknown[]) =>
  db
    .insertInto("jobs")
    .values(Object.fromEntries(JOB_COLUMNS.map((column, i) => [column, values[i]])) as unknown as NewJob)
    .returning("id"),
);

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

export async function insertJob(trx: Trx, job: NewJob): Promise<number> {
  const values = new Array<unknown>(JOB_COLUMNS.length);
  for (let i = 0; i < JOB_COLUMNS.length; i++) values[i] = job[JOB_COLUMNS[i]];
  const row = await jobInsert.takeFirst(trx, ...values);
  if (!row) throw new Error("the job insert returned no id");
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
