// A version number of the set of live usernames, on SQLite: triggers bump it whenever a user row is
// inserted, deleted, renamed or (un)deleted, whoever writes it (API, imports, sync, restore, another
// process). The users feature caches listUserAccounts pages against it. PostgreSQL, where several nodes
// may write and a counter row would serialise them, has neither the table nor the cache.
import { sql, type Kysely } from "kysely";
import type { MigrationContext } from "../migration-helpers.js";

export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect !== "sqlite") return;
  await sql`create table list_versions (name text primary key, version integer not null)`.execute(db);
  await sql`insert into list_versions (name, version) values ('users', 0)`.execute(db);
  const bump = sql`update list_versions set version = version + 1 where name = 'users'`;
  await sql`create trigger users_list_insert after insert on users begin ${bump}; end`.execute(db);
  await sql`create trigger users_list_delete after delete on users begin ${bump}; end`.execute(db);
  await sql`create trigger users_list_update after update of username, deleted_at on users begin ${bump}; end`.execute(db);
}
