// Writes and reads Quire's backup file: a ZIP holding manifest.json (format, app version, schema
// migrations, tables with their columns and row counts) and tables/<name>.ndjson (one JSON array of
// column values per row). Rows are streamed, so memory stays flat whatever the table sizes.
import { once } from "node:events";
import { createWriteStream, renameSync, rmSync } from "node:fs";
import { PassThrough, type Readable } from "node:stream";
import { createInterface } from "node:readline";
import yauzl from "yauzl";
import yazl from "yazl";
import type { Database, Dialect } from "../db/database.js";
import { Invalid } from "../kernel/errors.js";
import { TRANSIENT_TABLES, listTables, selectMigrationNames, selectRowPage, type TableInfo } from "./queries.js";

export const BACKUP_FORMAT = "quire-backup";
export const BACKUP_FORMAT_VERSION = 1;
const PAGE_ROWS = 1000;

export interface BackupTable {
  name: string;
  columns: string[];
  rows: number;
  file: string;
}

export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  appVersion: string;
  createdAt: number;
  sourceDatabase: Dialect;
  migrations: string[];
  tables: BackupTable[];
}

/**
 * Writes a consistent snapshot of every table to `path` (through a temporary file renamed at the end,
 * so a half-written backup never carries the final name). Returns the manifest.
 */
export async function writeBackupFile(db: Database, path: string, meta: { appVersion: string; createdAt: number }): Promise<BackupManifest> {
  const partial = `${path}.partial`;
  const zip = new yazl.ZipFile();
  const out = createWriteStream(partial, { mode: 0o600 });
  const failed = new Promise<never>((_, reject) => {
    out.on("error", reject);
    zip.outputStream.on("error", reject);
  });
  failed.catch(() => undefined);
  zip.outputStream.pipe(out);
  try {
    const manifest = await db.snapshot(async (trx) => {
      const tables = (await listTables(trx)).filter((t) => !TRANSIENT_TABLES.has(t.name));
      const migrations = await selectMigrationNames(trx);
      const written: BackupTable[] = [];
      for (const table of tables) {
        const file = `tables/${table.name}.ndjson`;
        const stream = new PassThrough();
        zip.addReadStream(stream, file, { mtime: new Date(meta.createdAt) });
        const rows = await streamTable(trx, table, stream, failed);
        stream.end();
        written.push({ name: table.name, columns: table.columns, rows, file });
      }
      return { format: BACKUP_FORMAT, formatVersion: BACKUP_FORMAT_VERSION, appVersion: meta.appVersion, createdAt: meta.createdAt, sourceDatabase: db.dialect, migrations, tables: written } satisfies BackupManifest;
    });
    zip.addBuffer(Buffer.from(JSON.stringify(manifest, null, 2) + "\n"), "manifest.json", { mtime: new Date(meta.createdAt) });
    zip.end();
    await Promise.race([once(out, "close"), failed]);
    renameSync(partial, path);
    return manifest;
  } catch (error) {
    out.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
}

async function streamTable(trx: Parameters<Parameters<Database["snapshot"]>[0]>[0], table: TableInfo, stream: PassThrough, failed: Promise<never>): Promise<number> {
  let count = 0;
  let afterId = 0;
  for (;;) {
    const page = await selectRowPage(trx, table, { afterId, offset: count }, PAGE_ROWS);
    if (page.length === 0) return count;
    count += page.length;
    if (table.hasId) afterId = Number(page[page.length - 1][table.columns.indexOf("id")]);
    const chunk = page.map((row) => JSON.stringify(row)).join("\n") + "\n";
    if (!stream.write(chunk)) await Promise.race([once(stream, "drain"), failed]);
    if (page.length < PAGE_ROWS) return count;
  }
}

/** An opened backup file: its manifest and a way to stream each table's rows. */
export interface BackupReader {
  manifest: BackupManifest;
  rows(table: BackupTable): AsyncIterable<unknown[]>;
  close(): void;
}

export async function openBackupFile(path: string): Promise<BackupReader> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false }, (error, file) => (error || !file ? reject(error ?? new Error("zip")) : resolve(file))),
  ).catch((error: Error) => {
    throw new Invalid(`${path} is not a readable backup file: ${error.message}`);
  });
  const entries = new Map<string, yauzl.Entry>();
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      entries.set(entry.fileName, entry);
      zip.readEntry();
    });
    zip.on("end", () => resolve());
    zip.on("error", reject);
    zip.readEntry();
  });
  const open = (name: string): Promise<Readable> => {
    const entry = entries.get(name);
    if (!entry) throw new Invalid(`The backup file has no entry ${name}.`);
    return new Promise((resolve, reject) => zip.openReadStream(entry, (error, stream) => (error || !stream ? reject(error) : resolve(stream))));
  };
  const lines = async function* (name: string): AsyncGenerator<string> {
    const rl = createInterface({ input: await open(name), crlfDelay: Infinity });
    for await (const line of rl) if (line !== "") yield line;
  };
  let text = "";
  for await (const line of lines("manifest.json")) text += line + "\n";
  const manifest = JSON.parse(text) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) {
    zip.close();
    throw new Invalid(`${path} is not a Quire backup (manifest format ${String(manifest.format)}).`);
  }
  if (manifest.formatVersion > BACKUP_FORMAT_VERSION) {
    zip.close();
    throw new Invalid(`${path} uses backup format ${manifest.formatVersion}, newer than this Quire understands (${BACKUP_FORMAT_VERSION}).`);
  }
  return {
    manifest,
    async *rows(table) {
      for await (const line of lines(table.file)) yield JSON.parse(line) as unknown[];
    },
    close: () => zip.close(),
  };
}
