// Direct, synchronous execution of compiled statements on SQLite's single connection, for the hot paths
// (db/precompiled.ts). better-sqlite3 is synchronous; Kysely's executor around it (connection mutex,
// promise hops, result wrapping) costs more than SQLite's own work for a one-row lookup.
//
// Safe only where nothing else can be using the connection half-way through a transaction:
// - on the root Kysely instance while no one holds the connection (a read between transactions sees
//   exactly what Kysely's path would: committed, durable data — the group committer holds the
//   connection until its batch is fsynced);
// - on a transaction handed to write units by the group committer, which holds the connection for the
//   whole batch and runs its units one after another.
// Everywhere else (PostgreSQL, other transactions, a held connection) callers fall back to Kysely.
import type BetterSqlite3 from "better-sqlite3";
import type { Kysely, QueryResult, Transaction } from "kysely";
import type { DB } from "./schema.js";

export interface CachedStatement {
  readonly reader: boolean;
  /** Whether the statement leaves the database as it is (SQLite's sqlite3_stmt_readonly). */
  readonly readonly: boolean;
  all(parameters: readonly unknown[]): unknown[];
  /** The first row, or undefined. */
  first(parameters: readonly unknown[]): unknown;
  /** The first column of every row, as plain values (no row objects). */
  firstColumn(parameters: readonly unknown[]): unknown[];
  run(parameters: readonly unknown[]): BetterSqlite3.RunResult;
  iterate(parameters: readonly unknown[]): IterableIterator<unknown>;
}

export interface DirectSqlite {
  /** A cached prepared statement (the same cache Kysely's driver uses, so rows have the same shape). */
  prepare(sql: string): CachedStatement;
  /** Whether a Kysely query or transaction holds the connection right now. */
  held(): boolean;
  /** Times a statement run directly, as Kysely's query log does for its own. */
  observe?(ms: number, ok: boolean): void;
  /** The turn's shared read transaction (db/turn-reads.ts), when reads on the free connection use one. */
  reads?: { enter(): void; leave(): void };
}

const roots = new WeakMap<object, DirectSqlite>();
const transactions = new WeakMap<object, DirectSqlite>();

/** Registers the root Kysely instance of a SQLite database. */
export function registerRoot(db: Kysely<DB>, direct: DirectSqlite): void {
  roots.set(db, direct);
}

/** Registers a transaction whose connection its owner holds exclusively while it runs units in sequence. */
export function registerTransaction(trx: Transaction<DB>, direct: DirectSqlite): void {
  transactions.set(trx, direct);
}

/** The direct handle for `db`, or undefined when the query must go through Kysely. */
export function directFor(db: object): DirectSqlite | undefined {
  const forTransaction = transactions.get(db);
  if (forTransaction) return forTransaction;
  const root = roots.get(db);
  return root && !root.held() ? root : undefined;
}

/** A read joins the turn's read transaction; anything else runs outside it. */
function prepareFor(direct: DirectSqlite, sql: string): CachedStatement {
  const stmt = direct.prepare(sql);
  const reads = direct.reads;
  if (reads) {
    if (stmt.reader && stmt.readonly) reads.enter();
    else reads.leave();
  }
  return stmt;
}

/** Runs `work` timed for the query log, as Kysely times its own queries. */
function timed<T>(direct: DirectSqlite, work: () => T): T {
  const observe = direct.observe;
  if (!observe) return work();
  const started = performance.now();
  try {
    const result = work();
    observe(performance.now() - started, true);
    return result;
  } catch (error) {
    observe(performance.now() - started, false);
    throw error;
  }
}

/** Runs one compiled query on the connection and returns the first column of its rows. */
export function firstColumnDirect(direct: DirectSqlite, sql: string, parameters: readonly unknown[]): unknown[] {
  const stmt = prepareFor(direct, sql);
  return timed(direct, () => stmt.firstColumn(parameters));
}

/** Runs one compiled query on the connection and returns its first row (the row Kysely would give first). */
export function firstRowDirect(direct: DirectSqlite, sql: string, parameters: readonly unknown[]): unknown {
  const stmt = prepareFor(direct, sql);
  return timed(direct, () => stmt.first(parameters));
}

/** Runs one compiled statement on the connection, with the result Kysely's SQLite driver gives. */
export function runDirect<R>(direct: DirectSqlite, sql: string, parameters: readonly unknown[]): QueryResult<R> {
  const stmt = prepareFor(direct, sql);
  return timed(direct, () => {
    if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  });
}
