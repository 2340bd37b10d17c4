// Catalog and bulk row access for backup and restore: which tables exist, their columns, the order
// foreign keys impose, and paged reads and batched inserts over any table.
import { sql } from "kysely";
import type { Dialect, Db, Trx } from "../db/database.js";

export interface TableInfo {
  name: string;
  columns: string[];
  /** Tables with an `id` column are read in id order (parents before children in self-references). */
  hasId: boolean;
}

/** Runtime state that is not part of a backup: the status of the task taking the backup. */
export const TRANSIENT_TABLES = new Set(["task_status", "list_versions"]);

export async function listTables(db: Db | Trx): Promise<TableInfo[]> {
  const tables = await db.introspection.getTables();
  return tables
    .filter((t) => !t.isView)
    .map((t) => {
      const columns = t.columns.map((c) => c.name);
      return { name: t.name, columns, hasId: columns.includes("id") };
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** For each table, the other tables its foreign keys point at. */
export async function selectForeignKeyTargets(db: Db | Trx, dialect: Dialect, tables: readonly string[]): Promise<Map<string, Set<string>>> {
  const refs = new Map<string, Set<string>>(tables.map((t) => [t, new Set<string>()]));
  if (dialect === "sqlite") {
    for (const table of tables) {
      const rows = await sql<{ table: string }>`select "table" from pragma_foreign_key_list(${table})`.execute(db);
      for (const r of rows.rows) if (r.table !== table) refs.get(table)?.add(r.table);
    }
  } else {
    const rows = await sql<{ tbl: string; ref: string }>`
      select cl.relname as tbl, rf.relname as ref
      from pg_constraint c
      join pg_class cl on cl.oid = c.conrelid
      join pg_class rf on rf.oid = c.confrelid
      join pg_namespace n on n.oid = cl.relnamespace
      where c.contype = 'f' and n.nspname = current_schema()`.execute(db);
    for (const r of rows.rows) if (r.tbl !== r.ref) refs.get(r.tbl)?.add(r.ref);
  }
  return refs;
}

export async function selectMigrationNames(db: Db | Trx): Promise<string[]> {
  const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
  return rows.rows.map((r) => r.name);
}

/** A page of rows as arrays in column order: by id after `afterId`, or by every column from `offset`. */
export async function selectRowPage(db: Db | Trx, table: TableInfo, position: { afterId: number; offset: number }, limit: number): Promise<unknown[][]> {
  const cols = sql.join(table.columns.map((c) => sql.ref(c)));
  const query = table.hasId
    ? sql<Record<string, unknown>>`select ${cols} from ${sql.table(table.name)} where id > ${position.afterId} order by id limit ${limit}`
    : sql<Record<string, unknown>>`select ${cols} from ${sql.table(table.name)} order by ${cols} limit ${limit} offset ${position.offset}`;
  const result = await query.execute(db);
  return result.rows.map((row) => table.columns.map((c) => row[c] ?? null));
}

/** Empties a table (restore replaces rows a schema step may have seeded). */
export async function deleteAllRows(trx: Trx, table: string): Promise<void> {
  await sql`delete from ${sql.table(table)}`.execute(trx);
}

export async function insertRows(trx: Trx, table: string, columns: readonly string[], rows: readonly unknown[][]): Promise<void> {
  if (rows.length === 0) return;
  const cols = sql.join(columns.map((c) => sql.ref(c)));
  const values = sql.join(rows.map((r) => sql`(${sql.join(r.map((v) => sql.val(v)))})`));
  await sql`insert into ${sql.table(table)} (${cols}) values ${values}`.execute(trx);
}

/** After rows were inserted with explicit ids, moves PostgreSQL's id sequence past them. */
export async function resetIdSequence(trx: Trx, dialect: Dialect, table: string): Promise<void> {
  if (dialect !== "postgres") return;
  await sql`select setval(pg_get_serial_sequence(${table}, 'id'), coalesce(max(id), 1), max(id) is not null) from ${sql.table(table)}
            where pg_get_serial_sequence(${table}, 'id') is not null`.execute(trx);
}

/** Whether the database holds no tables at all (a restore target must be empty). */
export async function countUserTables(db: Db, dialect: Dialect): Promise<number> {
  if (dialect === "sqlite") {
    const r = await sql<{ n: number }>`select count(*) as n from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
    return Number(r.rows[0].n);
  }
  const r = await sql<{ n: number }>`select count(*)::int as n from information_schema.tables where table_schema = current_schema()`.execute(db);
  return Number(r.rows[0].n);
}

/** Orders tables so that every table comes after the tables its foreign keys point at. */
export function orderByDependencies(tables: readonly string[], refs: Map<string, Set<string>>): string[] {
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (t: string, depth: number) => {
    if (done.has(t) || depth > tables.length) return;
    for (const r of refs.get(t) ?? []) if (tables.includes(r)) visit(r, depth + 1);
    if (!done.has(t)) {
      done.add(t);
      out.push(t);
    }
  };
  for (const t of tables) visit(t, 0);
  return out;
}
