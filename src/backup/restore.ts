// Offline restore of a backup into an EMPTY data directory (SQLite) or an EMPTY PostgreSQL database:
// creates the current schema, checks the backup fits it, and copies every table in foreign-key order
// in one transaction. Works across backends (SQLite backup into PostgreSQL and back).
import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { Kysely } from "kysely";
import { Database } from "../db/database.js";
import { migrateToLatest } from "../db/migrations.js";
import { Conflict, Invalid } from "../kernel/errors.js";
import { openBackupFile } from "./backup-file.js";
import { countUserTables, deleteAllRows, insertRows, listTables, orderByDependencies, resetIdSequence, selectForeignKeyTargets, selectMigrationNames } from "./queries.js";

export interface RestoreTarget {
  /** The SQLite file to create (ignored with postgresUrl). */
  sqlitePath: string;
  postgresUrl?: string;
}

export interface RestoreOutcome {
  tables: number;
  rows: number;
}

/** Statement parameter budget per insert: under SQLite's 32,766 and PostgreSQL's 65,535. */
const MAX_PARAMS = 30_000;

export async function restoreBackup(file: string, target: RestoreTarget, report: (line: string) => void = () => undefined): Promise<RestoreOutcome> {
  if (!existsSync(file)) throw new Invalid(`The backup file ${file} does not exist.`);
  if (!target.postgresUrl && existsSync(target.sqlitePath) && statSync(target.sqlitePath).size > 0) {
    throw new Conflict(`${target.sqlitePath} already exists: restore only into an empty data directory.`);
  }
  const backup = await openBackupFile(file);
  if (!target.postgresUrl) mkdirSync(dirname(target.sqlitePath), { recursive: true });
  const db = new Database(target.postgresUrl ? { postgresUrl: target.postgresUrl, poolSize: 2 } : { sqlitePath: target.sqlitePath });
  try {
    if ((await countUserTables(db.kysely, db.dialect)) > 0) throw new Conflict("The target database is not empty: restore only into an empty database.");
    await migrateToLatest(db.kysely as unknown as Kysely<unknown>, { dialect: db.dialect });
    const known = new Set(await selectMigrationNames(db.kysely));
    const unknown = backup.manifest.migrations.filter((m) => !known.has(m));
    if (unknown.length > 0) throw new Invalid(`The backup was made by a newer Quire (schema steps ${unknown.join(", ")} are unknown here); restore it with that version.`);
    const tables = new Map((await listTables(db.kysely)).map((t) => [t.name, t]));
    for (const t of backup.manifest.tables) {
      const here = tables.get(t.name);
      if (!here) throw new Invalid(`The backup holds table ${t.name}, which this Quire does not have.`);
      const missing = t.columns.filter((c) => !here.columns.includes(c));
      if (missing.length > 0) throw new Invalid(`The backup's table ${t.name} has columns this Quire does not have: ${missing.join(", ")}.`);
    }
    const names = backup.manifest.tables.map((t) => t.name);
    const order = orderByDependencies(names, await selectForeignKeyTargets(db.kysely, db.dialect, names));
    let total = 0;
    await db.write(async (trx) => {
      // Rows a schema step may have seeded are replaced by the backup's.
      for (const name of [...order].reverse()) await deleteAllRows(trx, name);
      for (const name of order) {
        const table = backup.manifest.tables.find((t) => t.name === name)!;
        const batchSize = Math.max(1, Math.floor(MAX_PARAMS / Math.max(1, table.columns.length)));
        let batch: unknown[][] = [];
        let count = 0;
        for await (const row of backup.rows(table)) {
          if (row.length !== table.columns.length) throw new Invalid(`Backup table ${name}, row ${count + 1}: ${row.length} values for ${table.columns.length} columns.`);
          batch.push(row);
          count++;
          if (batch.length >= batchSize) {
            await insertRows(trx, name, table.columns, batch);
            batch = [];
          }
        }
        await insertRows(trx, name, table.columns, batch);
        if (count !== table.rows) throw new Invalid(`Backup table ${name} holds ${count} rows but its manifest says ${table.rows}; the file is damaged.`);
        if (table.columns.includes("id")) await resetIdSequence(trx, db.dialect, name);
        total += count;
        report(`${name}: ${count} rows`);
      }
    });
    return { tables: order.length, rows: total };
  } finally {
    backup.close();
    await db.close();
  }
}
