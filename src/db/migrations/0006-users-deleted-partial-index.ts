// The index on users.deleted_at only ever needs the deleted rows (counting them). As a full index,
// SQLite's planner chose it for "deleted_at is null" lists and then sorted every live user by name,
// instead of walking the username index in order; a partial index cannot serve those queries.
import { sql, type Kysely } from "kysely";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists users_deleted`.execute(db);
  await sql`create index users_deleted on users (deleted_at) where deleted_at is not null`.execute(db);
}
