// Runs a piece of background work on exactly one node at a time. On PostgreSQL the guard is a session
// advisory lock held on a dedicated connection: when the node dies, its connection ends and the lock is
// released, so another node can take the work over. On SQLite (one node by construction) it is an
// in-process guard.
import { createHash } from "node:crypto";
import type pg from "pg";
import type { Database } from "./database.js";

export type ExclusiveOutcome<T> = { ran: true; value: T } | { ran: false };

/** The work receives a signal that aborts when this node loses the guard (its database session ended). */
export type ExclusiveWork<T> = (signal: AbortSignal) => Promise<T>;

/** The 64-bit advisory lock key of a work name, as decimal text (PostgreSQL's bigint). */
export function advisoryKeyOf(name: string): string {
  return createHash("sha256").update(`quire:${name}`).digest().readBigInt64BE(0).toString();
}

export class SingleRunner {
  private readonly localHeld = new Set<string>();

  constructor(private readonly db: Database) {}

  /**
   * Runs `work` if no node (this one included) is running work of the same name; otherwise returns
   * `{ ran: false }` at once without waiting. The guard is released when the work settles.
   */
  async runExclusive<T>(name: string, work: ExclusiveWork<T>): Promise<ExclusiveOutcome<T>> {
    if (this.localHeld.has(name)) return { ran: false };
    this.localHeld.add(name);
    try {
      if (this.db.dialect !== "postgres") return { ran: true, value: await work(new AbortController().signal) };
      return await this.runUnderAdvisoryLock(name, work);
    } finally {
      this.localHeld.delete(name);
    }
  }

  /** Whether work of this name is running on this node. */
  isRunningHere(name: string): boolean {
    return this.localHeld.has(name);
  }

  private async runUnderAdvisoryLock<T>(name: string, work: ExclusiveWork<T>): Promise<ExclusiveOutcome<T>> {
    const key = advisoryKeyOf(name);
    const session: pg.Client = await this.db.openSession();
    const lost = new AbortController();
    const onLost = () => lost.abort(new Error(`Lost the database session guarding "${name}".`));
    session.on("error", onLost);
    session.on("end", onLost);
    try {
      const { rows } = await session.query<{ ok: boolean }>("select pg_try_advisory_lock($1::bigint) as ok", [key]);
      if (!rows[0]?.ok) return { ran: false };
      const value = await work(lost.signal);
      return { ran: true, value };
    } finally {
      session.off("end", onLost);
      // Ending the session releases the lock; an explicit unlock first keeps the release prompt even if
      // the connection lingers.
      if (!lost.signal.aborted) await session.query("select pg_advisory_unlock_all()").catch(() => undefined);
      await session.end().catch(() => undefined);
    }
  }
}
