// Opens the database (embedded SQLite by default, PostgreSQL when a URL is given) behind one Kysely instance,
// and runs writes: on SQLite through group commit, on PostgreSQL as one transaction each with retry.
import fs from "node:fs";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { Kysely, PostgresDialect, SqliteDialect, sql, type Driver, type LogEvent, type Transaction } from "kysely";
import type { DB } from "./schema.js";
import { GroupCommitter, type CommitStats } from "./group-commit.js";
import { registerRoot, type CachedStatement, type DirectSqlite } from "./direct.js";
import { TurnReads } from "./turn-reads.js";
import { Conflict, Unavailable } from "../kernel/errors.js";

export type Dialect = "sqlite" | "postgres";
export type Trx = Transaction<DB>;
export type Db = Kysely<DB>;

/** Receives how long each query and each write unit took (for metrics). */
export interface DatabaseObserver {
  query(ms: number, ok: boolean): void;
  write(ms: number, ok: boolean): void;
}

export interface DatabaseOptions {
  /** Path of the SQLite file (ignored when postgresUrl is set). ":memory:" works for unit tests. */
  sqlitePath?: string;
  postgresUrl?: string;
  /** Pool size for PostgreSQL. */
  poolSize?: number;
  /** PostgreSQL statement_timeout for every pooled connection (ms; 0 = none). */
  statementTimeoutMs?: number;
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

function cachedStatement(stmt: BetterSqlite3.Statement): CachedStatement {
  const run = (parameters: readonly unknown[]) => stmt.run(parameters);
  if (!stmt.reader) {
    const all = (parameters: readonly unknown[]) => stmt.all(parameters);
    return { reader: false, readonly: stmt.readonly, run, all, first: (parameters) => all(parameters)[0], firstColumn: all, iterate: (parameters) => stmt.iterate(parameters) };
  }
  const columns = stmt.columns().map((c) => c.name);
  // One column: read plain values (no per-row array at all); several: raw arrays.
  const single = columns.length === 1;
  if (single) stmt.pluck(true);
  else stmt.raw(true);
  const build = rowBuilder(columns, single);
  return {
    reader: true,
    readonly: stmt.readonly,
    run,
    all(parameters) {
      const rows = stmt.all(parameters);
      for (let i = 0; i < rows.length; i++) rows[i] = build(rows[i]);
      return rows;
    },
    first(parameters) {
      // A read stops at its first row; a write with RETURNING runs whole, as all() runs it.
      if (!stmt.readonly) {
        const rows = stmt.all(parameters);
        return rows.length > 0 ? build(rows[0]) : undefined;
      }
      const raw: unknown = stmt.get(parameters);
      return raw === undefined ? undefined : build(raw);
    },
    firstColumn(parameters) {
      const rows = stmt.all(parameters);
      if (!single) for (let i = 0; i < rows.length; i++) rows[i] = (rows[i] as unknown[])[0];
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

/** Kysely's SQLite dialect, reporting whether its single connection is held (see db/direct.ts). */
class TrackedSqliteDialect extends SqliteDialect {
  constructor(
    config: ConstructorParameters<typeof SqliteDialect>[0],
    private readonly onHeld: (held: boolean) => void,
  ) {
    super(config);
  }

  override createDriver(): Driver {
    const driver = super.createDriver();
    const acquire = driver.acquireConnection.bind(driver);
    const release = driver.releaseConnection.bind(driver);
    driver.acquireConnection = async () => {
      const connection = await acquire();
      this.onHeld(true);
      return connection;
    };
    driver.releaseConnection = async (connection) => {
      this.onHeld(false);
      await release(connection);
    };
    return driver;
  }
}

/** Extra writes that ride along with the next write unit (see Database.withRider). */
export interface WriteRider {
  run(trx: Trx): Promise<void>;
  /** Set once the unit it rode with has committed. */
  written: boolean;
}

export class Database {
  readonly kysely: Db;
  readonly dialect: Dialect;
  private readonly committer?: GroupCommitter;
  private readonly logSyncer?: LogSyncer;
  private rider: WriteRider | undefined;
  private readonly sqlite?: BetterSqlite3.Database;
  private readonly turnReads?: TurnReads;
  private readonly pool?: pg.Pool;
  /** Set by the server to time queries and writes; unset in tools and tests that do not need it. */
  observer?: DatabaseObserver;
  private readonly logQuery = (event: LogEvent): void => {
    this.observer?.query(event.queryDurationMillis, event.level === "query");
  };
  private readonly postgresUrl?: string;

  constructor(options: DatabaseOptions) {
    if (options.postgresUrl) {
      configurePgTypes();
      this.dialect = "postgres";
      this.postgresUrl = options.postgresUrl;
      this.pool = new pg.Pool({
        connectionString: options.postgresUrl,
        max: options.poolSize || 10,
        // A statement stuck behind a lock or a runaway query fails instead of holding a connection forever.
        statement_timeout: options.statementTimeoutMs ?? 30_000,
        // A transaction left open by a stalled node cannot hold row locks for long.
        idle_in_transaction_session_timeout: 60_000,
      });
      this.pool.on("error", () => {
        /* an idle client lost its connection; the pool replaces it */
      });
      this.kysely = new Kysely<DB>({ dialect: new PostgresDialect({ pool: this.pool }), log: this.logQuery });
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
      const statements = cachingSqlite(db);
      let held = false;
      const reads = new TurnReads(db, () => held);
      this.turnReads = reads;
      const onHeld = (h: boolean) => {
        // Whoever takes the connection finds it outside the turn's read transaction.
        if (h) reads.leave();
        held = h;
      };
      this.kysely = new Kysely<DB>({ dialect: new TrackedSqliteDialect({ database: statements }, onHeld), log: this.logQuery });
      const direct: DirectSqlite = {
        prepare: statements.prepare,
        held: () => held,
        observe: (ms, ok) => this.observer?.query(ms, ok),
        reads,
      };
      registerRoot(this.kysely, direct);
      // A file database: the group committer fsyncs the write-ahead log itself, off the event loop.
      const wal = file === ":memory:" || file === "" ? undefined : `${file}-wal`;
      this.logSyncer = wal ? new LogSyncer(wal) : undefined;
      this.committer = new GroupCommitter(this.kysely, direct, this.logSyncer?.sync);
    }
  }

  /**
   * Runs one use case's writes all-or-nothing. On SQLite, units that arrive together share one durable
   * commit (each in its own savepoint); on PostgreSQL each unit is its own transaction, retried on
   * serialization failures, deadlocks and unique violations (two nodes creating the same row at once: the
   * retry sees the other node's row and takes the path for an existing one, e.g. a Conflict fault).
   */
  async write<T>(unit: (trx: Trx) => Promise<T>): Promise<T> {
    const rider = this.rider;
    if (rider) {
      // The first write started while a rider is set carries it, inside the same unit.
      this.rider = undefined;
      const own = unit;
      unit = async (trx) => {
        const result = await own(trx);
        await rider.run(trx);
        return result;
      };
    }
    const observer = this.observer;
    const started = observer ? performance.now() : 0;
    try {
      const result = await this.runWrite(unit);
      observer?.write(performance.now() - started, true);
      if (rider) rider.written = true;
      return result;
    } catch (error) {
      observer?.write(performance.now() - started, false);
      throw error;
    }
  }

  /**
   * Runs `start` (which must only start work, synchronously, and return its promise) so that the first
   * write unit it starts before returning also runs `rider.run` at its end, in the same transaction:
   * an audit row commits, or not, with the change it describes, at no extra commit. `rider.written`
   * tells afterwards whether that happened; when `start` wrote nothing synchronously, it did not.
   */
  withRider<T>(rider: WriteRider, start: () => Promise<T>): Promise<T> {
    this.rider = rider;
    try {
      return start();
    } finally {
      this.rider = undefined;
    }
  }

  private async runWrite<T>(unit: (trx: Trx) => Promise<T>): Promise<T> {
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

  /**
   * A dedicated PostgreSQL connection outside the pool, for session state such as advisory locks: the
   * session ends (and its locks are released) when the client ends or this process dies.
   */
  async openSession(): Promise<pg.Client> {
    if (!this.postgresUrl) throw new Error("Sessions exist on PostgreSQL only.");
    const client = new pg.Client({ connectionString: this.postgresUrl });
    await client.connect();
    return client;
  }

  /** Checks that the database answers. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.kysely);
  }

  async close(): Promise<void> {
    await this.committer?.drain();
    this.turnReads?.leave();
    await this.kysely.destroy();
    this.logSyncer?.close();
  }
}

/**
 * fdatasync of SQLite's write-ahead log on the thread pool. The log is opened once, at the first sync
 * (SQLite creates it with the first write) and kept open: while the database connection is open, SQLite
 * reuses the same file (a checkpoint rewinds it, it is removed only when the last connection closes).
 */
class LogSyncer {
  private fd: number | undefined;

  constructor(private readonly path: string) {}

  readonly sync = async (): Promise<void> => {
    this.fd ??= await new Promise<number>((resolve, reject) => fs.open(this.path, "r", (error, fd) => (error ? reject(error) : resolve(fd))));
    const fd = this.fd;
    await new Promise<void>((resolve, reject) => fs.fdatasync(fd, (error) => (error ? reject(error) : resolve())));
  };

  close(): void {
    if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }
}

function mapDriverError(error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code === "ECONNREFUSED" || code === "57P01" || code === "08006") {
    return new Unavailable("The database is not reachable; try again shortly.");
  }
  if (code === "57014") return new Unavailable("The database did not answer in time; try again shortly.");
  if (code === "23505") return new Conflict("The change clashed with a concurrent change of the same record; try again.");
  return error;
}
