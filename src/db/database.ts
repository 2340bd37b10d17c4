// Opens the database (embedded SQLite by default, PostgreSQL when a URL is given) behind one Kysely instance,
// and runs writes: on SQLite through group commit, on PostgreSQL as one transaction each with retry.
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from "kysely";
import type { DB } from "./schema.js";
import { GroupCommitter } from "./group-commit.js";
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

/** better-sqlite3 prepares a statement per call under Kysely; caching them saves most of a read's cost. */
function cachingSqlite(db: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => db.close(),
    prepare(query: string) {
      let stmt = cache.get(query);
      if (!stmt) {
        stmt = db.prepare(query);
        if (cache.size > 2000) cache.clear();
        cache.set(query, stmt);
      }
      return stmt;
    },
  };
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
      this.committer = new GroupCommitter(this.kysely);
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

function mapDriverError(error: unknown): unknown {
  const code = (error as { code?: string }).code;
  if (code === "ECONNREFUSED" || code === "57P01" || code === "08006") {
    return new Unavailable("The database is not reachable; try again shortly.");
  }
  return error;
}
