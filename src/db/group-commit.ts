// Group commit for SQLite: the write units that arrive while a commit is being prepared share one
// transaction and one fsync. Each unit runs in its own savepoint, so each stays all-or-nothing.
//
// Durability: with a `syncLog` (a file database), a batch commits with synchronous=NORMAL and the WAL is
// then fsynced on the thread pool before any unit of the batch is acknowledged — the guarantee of
// synchronous=FULL (an acknowledged write survives power loss), but the event loop keeps reading and
// parsing requests during the fsync instead of blocking in it. The connection stays held until the
// fsync ends, so no reader sees a batch before it is durable. Everything else on the connection keeps
// synchronous=FULL.
import { CompiledQuery, type Kysely, type Transaction } from "kysely";
import type { DB } from "./schema.js";
import { registerTransaction, runDirect, type DirectSqlite } from "./direct.js";

interface Pending {
  unit: (trx: Transaction<DB>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

const MAX_UNITS_PER_COMMIT = 1000;
// Compiled once: these run for every unit of every batch.
const SAVEPOINT = CompiledQuery.raw("savepoint unit");
const RELEASE = CompiledQuery.raw("release savepoint unit");
const ROLLBACK_TO = CompiledQuery.raw("rollback to savepoint unit");
const BEGIN = CompiledQuery.raw("begin");
const COMMIT = CompiledQuery.raw("commit");
const ROLLBACK = CompiledQuery.raw("rollback");
const SYNC_DEFERRED = CompiledQuery.raw("pragma synchronous = NORMAL");
const SYNC_FULL = CompiledQuery.raw("pragma synchronous = FULL");

/** How many durable commits ran and how many write units they carried (units / commits = batching). */
export interface CommitStats {
  commits: number;
  units: number;
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;
  readonly stats: CommitStats = { commits: 0, units: 0 };

  /**
   * `direct` runs BEGIN, savepoints, COMMIT and the units' compiled statements on the held connection;
   * `syncLog` makes the write-ahead log durable (fsync); without it each commit is synchronous=FULL.
   */
  constructor(
    private readonly db: Kysely<DB>,
    private readonly direct: DirectSqlite,
    private readonly syncLog?: () => Promise<void>,
  ) {}

  run<T>(unit: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ unit, resolve: resolve as (v: unknown) => void, reject });
      if (!this.running) this.running = this.flushSoon();
    });
  }

  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async flushSoon(): Promise<void> {
    // Let the requests already read from the sockets reach the queue before committing.
    await new Promise<void>((r) => setImmediate(r));
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, MAX_UNITS_PER_COMMIT);
        await this.commitBatch(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  private async commitBatch(batch: Pending[]): Promise<void> {
    this.stats.commits++;
    this.stats.units += batch.length;
    const syncLog = this.syncLog;
    const direct = this.direct;
    let outcomes: Outcome[];
    try {
      // The whole batch on the held connection, statement by statement, without Kysely's transaction
      // machinery; queries the units build themselves still go through Kysely on the same connection.
      outcomes = await this.db.connection().execute(async (conn) => {
        const exec = (query: CompiledQuery) => runDirect(direct, query.sql, query.parameters);
        if (syncLog) exec(SYNC_DEFERRED);
        let result: Outcome[];
        try {
          result = await runUnits(conn as Transaction<DB>, batch, exec, direct);
        } finally {
          if (syncLog) exec(SYNC_FULL);
        }
        if (syncLog) await syncLog();
        return result;
      });
    } catch (error) {
      // The commit (or the fsync after it) failed: nothing in the batch is known to be durable.
      for (const pending of batch) pending.reject(error);
      return;
    }
    batch.forEach((pending, i) => {
      const outcome = outcomes[i];
      if (outcome.ok) pending.resolve(outcome.value);
      else pending.reject(outcome.error);
    });
  }
}

/**
 * Runs the units in one transaction: BEGIN, each unit in a savepoint, COMMIT, all run synchronously on the
 * connection this batch holds. `conn` is the Kysely handle bound to that connection; units receive it
 * as their transaction (it runs their own queries on the same connection, inside the open transaction).
 */
async function runUnits(conn: Transaction<DB>, batch: Pending[], exec: (query: CompiledQuery) => unknown, direct: DirectSqlite): Promise<Outcome[]> {
  registerTransaction(conn, direct);
  const outcomes: Outcome[] = [];
  exec(BEGIN);
  try {
    for (const pending of batch) {
      exec(SAVEPOINT);
      try {
        const value = await pending.unit(conn);
        exec(RELEASE);
        outcomes.push({ ok: true, value });
      } catch (error) {
        exec(ROLLBACK_TO);
        exec(RELEASE);
        outcomes.push({ ok: false, error });
      }
    }
    exec(COMMIT);
  } catch (error) {
    try {
      exec(ROLLBACK);
    } catch {
      /* the transaction is already gone (SQLite rolls back on some errors) */
    }
    throw error;
  }
  return outcomes;
}
