// Opens the database (embedded SQLite by default, PostgreSQL when a URL is given) behind one Kysely instance,
// and runs writes: on SQLite through group commit, on PostgreSQL as one transaction each with retry.
import { open } from "node:fs/promises";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from "kysely";
import type { DB } from "./schema.js";
import { GroupCommitter, type CommitStats } from "./group-commit.js";
import { Unavailable } from "../kernel/errors.js";

export type Dialect = "sqlite" | "postgres";
export type Trx = Transaction<DB>;
export type Db = Kysely<DB>;

export interface DatabaseOptions {
  /** Path of the SQLite file (ignored when postgresUrl is set). ":memory:" works for unit tests. */
  sqlitePath?: string;
  postgresUrl?: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
}

let pgTypesSet = false;
function configurePgTypes(): void {
  if (pgTypesSet) return;
  pgTypesSet = true;
  // BIGINT (OID 20) as a JS number; refuse values that would lose precision rather than corrupt money.
  pg.types.setTypeParser(20, (text: string) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new RangeError(`integer out of safe range: ${text}`);
    return value;
  });
  // NUMERIC (OID 1700) from SUM() over BIGINT: same rule.
  pg.types.setTypeParser(1700, (text: string) => {
    const value = Number(text);
    if (!Number.isSafeInteger(value)) throw new RangeError(`numeric out of safe range: ${text}`);
    return value;
  });
}

/**
 * better-sqlite3 prepares a statement per call under Kysely; caching them saves most of a read's cost.
 * Rows are read in raw mode (arrays) and turned into objects by a function generated per statement:
 * better-sqlite3's own row objects cost about a microsecond per row, a literal of known shape far less.
 */
function cachingSqlite(db: BetterSqlite3.Database) {
  const cache = new Map<string, CachedStatement>();
  return {
    close: () => db.close(),
    prepare(query: string): CachedStatement {
      let stmt = cache.get(query);
      if (!stmt) {
        stmt = cachedStatement(db.prepare(query));
        if (cache.size > 2000) cache.clear();
        cache.set(query, stmt);
      }
      return stmt;
    },
  };
}

interface CachedStatement {
  readonly reader: boolean;
  all(parameters: readonly unknown[]): unknown[];
  run(parameters: readonly unknown[]): BetterSqlite3.RunResult;
  iterate(parameters: readonly unknown[]): IterableIterator<unknown>;
}

function cachedStatement(stmt: BetterSqlite3.Statement): CachedStatement {
  const run = (parameters: readonly unknown[]) => stmt.run(parameters);
  if (!stmt.reader) return { reader: false, run, all: (parameters) => stmt.all(parameters), iterate: (parameters) => stmt.iterate(parameters) };
  const columns = stmt.columns().map((c) => c.name);
  // One column: read plain values (no per-row array at all); several: raw arrays.
  const single = columns.length === 1;
  if (single) stmt.pluck(true);
  else stmt.raw(true);
  const build = rowBuilder(columns, single);
  return {
    reader: true,
    run,
    all(parameters) {
      const rows = stmt.all(parameters);
      for (let i = 0; i < rows.length; i++) rows[i] = build(rows[i]);
      return rows;
    },
    *iterate(parameters) {
      for (const raw of stmt.iterate(parameters)) yield build(raw);
    },
  };
}

/**
 * A function turning a raw row (an array of column values, or the value itself when `single`) into an
 * object with these keys; a later duplicate name wins, as in better-sqlite3.
 */
export function rowBuilder(columns: readonly string[], single = false): (raw: unknown) => Record<string, unknown> {
  // Column names come from our own schema; JSON quoting keeps any name a plain key, and "__proto__" is
  // written as a computed key so that it stays an own property.
  const fields = columns.map((name, i) => `${name === "__proto__" ? `[${JSON.stringify(name)}]` : JSON.stringify(name)}: ${single ? "r" : `r[${i}]`}`);
  return new Function("r", `return { ${fields.join(", ")} };`) as (raw: unknown) => Record<string, unknown>;
}

export class Database {
  readonly kysely: Db;
  readonly dialect: Dialect;
  private readonly committer?: GroupCommitter;
  private readonly sqlite?: BetterSqlite3.Database;
  private readonly pool?: pg.Pool;

  constructor(options: DatabaseOptions) {
    if (options.postgresUrl) {
      configurePgTypes();
      this.dialect = "postgres";
      this.pool = new pg.Pool({ connectionString: options.postgresUrl, max: options.poolSize ?? 10 });
      this.pool.on("error", () => {
        /* an idle client lost its connection; the pool replaces it */
      });
      this.kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool: this.pool }) });
    } else {
      this.dialect = "sqlite";
      const file = options.sqlitePath ?? ":memory:";
      const db = new BetterSqlite3(file);
      db.pragma("journal_mode = WAL");
      // FULL: an acknowledged write survives power loss, not only a process crash.
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      db.pragma("busy_timeout = 10000");
      this.sqlite = db;
      this.kysely = new Kysely<DB>({ dialect: new SqliteDialect({ database: cachingSqlite(db) }) });
      // A file database: the group committer fsyncs the write-ahead log itself, off the event loop.
      const wal = file === ":memory:" || file === "" ? undefined : `${file}-wal`;
      this.committer = new GroupCommitter(this.kysely, wal ? () => syncFile(wal) : undefined);
    }
  }

  /**
   * Runs one use case's writes all-or-nothing. On SQLite, units that arrive together share one durable
   * commit (each in its own savepoint); on PostgreSQL each unit is its own transaction, retried on
   * serialization failures and deadlocks.
   */
  async write<T>(unit: (trx: Trx) => Promise<T>): Promise<T> {
    if (this.committer) return this.committer.run(unit);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.kysely.transaction().execute(unit);
      } catch (error) {
        const code = (error as { code?: string }).code;
        // A unique violation (23505) means a concurrent unit inserted the same name or number between this
        // unit's check and its write; run again, the check now sees the other row and says so.
        if ((code === "40001" || code === "40P01" || code === "23505") && attempt < 5) continue;
        throw mapDriverError(error);
      }
    }
  }

  /** Group-commit counters on SQLite (undefined on PostgreSQL, where each unit commits alone). */
  commitStats(): CommitStats | undefined {
    return this.committer ? { ...this.committer.stats } : undefined;
  }

  /** Runs reads that must see one consistent snapshot. */
  async snapshot<T>(unit: (trx: Trx) => Promise<T>): Promise<T> {
    if (this.dialect === "postgres") {
      return this.kysely
        .transaction()
        .setIsolationLevel("repeatable read")
        .execute(unit);
    }
    return this.kysely.transaction().execute(unit);
  }

  /** Checks that the database answers. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.kysely);
  }

  async close(): Promise<void> {
    await this.committer?.drain();
    await this.kysely.destroy();
  }
}

/** fdatasync on the thread pool. The file is opened each time, so it is always SQLite's current log. */
async function syncFile(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

function mapDriverError(error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code === "ECONNREFUSED" || code === "57P01" || code === "08006") {
    return new Unavailable("The database is not reachable; try again shortly.");
  }
  return error;
}
