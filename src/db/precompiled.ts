// Queries built and compiled once per dialect, then run with new parameter values: for the hottest
// reads and writes, Kysely's builder and compiler cost more than SQLite's own work. On SQLite they run
// directly on the connection where that is safe (db/direct.ts), otherwise through Kysely's executor.
import type { Compilable, CompiledQuery, Kysely, QueryResult } from "kysely";
import type { DB } from "./schema.js";
import { directFor, firstColumnDirect, firstRowDirect, runDirect } from "./direct.js";

type Handle = Kysely<DB>;

interface Template {
  sql: string;
  query: CompiledQuery["query"];
  queryId: CompiledQuery["queryId"];
  /** For each compiled parameter: the index of the argument it takes, or -1 for a constant. */
  slots: number[];
  constants: unknown[];
}

const MARK = "\u0000quire-precompiled-argument-";

export interface Precompiled<A extends unknown[], R> {
  /** All rows. */
  execute(db: Handle, ...args: A): Promise<R[]>;
  /** The first row, or undefined. */
  takeFirst(db: Handle, ...args: A): Promise<R | undefined>;
  /** The first selected column of every row, without row objects on SQLite. */
  column(db: Handle, ...args: A): Promise<Array<R[keyof R]>>;
  /** The driver's result (row count of a write, insert id). */
  run(db: Handle, ...args: A): Promise<QueryResult<R>>;
}

/**
 * Wraps a query builder. `build` must use its arguments only as values (they are placeholders while
 * the query is compiled), never branch on them. Works in and out of transactions, on both databases.
 */
export function precompiled<A extends unknown[], R>(build: (db: Handle, ...args: A) => Compilable<R>): Precompiled<A, R> {
  // Keyed by the dialect's adapter class: the SQL differs between SQLite and PostgreSQL only.
  const templates = new Map<unknown, Template>();

  function compiledFor(db: Handle, args: A): CompiledQuery<R> {
    const key = db.getExecutor().adapter.constructor;
    let template = templates.get(key);
    if (!template) {
      const marks = args.map((_, i) => MARK + i);
      const compiled = build(db, ...(marks as A)).compile();
      const slots = compiled.parameters.map((p) => (typeof p === "string" && p.startsWith(MARK) ? Number(p.slice(MARK.length)) : -1));
      template = { sql: compiled.sql, query: compiled.query, queryId: compiled.queryId, slots, constants: [...compiled.parameters] };
      templates.set(key, template);
    }
    const { slots, constants } = template;
    const parameters = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) parameters[i] = slots[i] < 0 ? constants[i] : args[slots[i]];
    return { sql: template.sql, query: template.query, queryId: template.queryId, parameters };
  }

  async function executeQuery(db: Handle, args: A): Promise<QueryResult<R>> {
    const compiled = compiledFor(db, args);
    const direct = directFor(db);
    return direct ? runDirect<R>(direct, compiled.sql, compiled.parameters) : db.executeQuery(compiled);
  }

  return {
    async execute(db, ...args) {
      return (await executeQuery(db, args)).rows;
    },
    async takeFirst(db, ...args) {
      const compiled = compiledFor(db, args);
      const direct = directFor(db);
      if (direct) return firstRowDirect(direct, compiled.sql, compiled.parameters) as R | undefined;
      return (await db.executeQuery(compiled)).rows[0];
    },
    async column(db, ...args) {
      const compiled = compiledFor(db, args);
      const direct = directFor(db);
      if (direct) return firstColumnDirect(direct, compiled.sql, compiled.parameters) as Array<R[keyof R]>;
      const { rows } = await db.executeQuery(compiled);
      return rows.map((row) => Object.values(row as object)[0] as R[keyof R]);
    },
    run(db, ...args) {
      return executeQuery(db, args);
    },
  };
}
