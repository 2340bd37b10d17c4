// Every balance change inserts a ledger row, and every index on the ledger is one more b-tree write per
// row. ledger_created_at (created_at) duplicates the leading column of ledger_created (created_at,
// account_id, amount), which serves the same range scans; ledger_job needs only the rows of jobs
// (most ledger rows have no job), so it becomes partial — "job_id = ?" and "job_id is not null" still use it.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists ledger_created_at`.execute(db);
  await sql`drop index if exists ledger_job`.execute(db);
  await sql`create index ledger_job on ledger (job_id) where job_id is not null`.execute(db);
}
