// Group commit for SQLite: the write units that arrive while a commit is being prepared share one
// transaction and one fsync. Each unit runs in its own savepoint, so each stays all-or-nothing.
import { sql, type Kysely, type Transaction } from "kysely";
import type { DB } from "./schema.js";

interface Pending {
  unit: (trx: Transaction<DB>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

const MAX_UNITS_PER_COMMIT = 1000;

export class GroupCommitter {
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;

  constructor(private readonly db: Kysely<DB>) {}

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
    if (batch.length === 1) {
      const [only] = batch;
      try {
        only.resolve(await this.db.transaction().execute(only.unit));
      } catch (error) {
        only.reject(error);
      }
      return;
    }
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await this.db.transaction().execute(async (trx) => {
        for (const pending of batch) {
          await sql`savepoint unit`.execute(trx);
          try {
            const value = await pending.unit(trx);
            await sql`release savepoint unit`.execute(trx);
            outcomes.push({ ok: true, value });
          } catch (error) {
            await sql`rollback to savepoint unit`.execute(trx);
            await sql`release savepoint unit`.execute(trx);
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      // The commit itself failed: nothing in the batch is durable.
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
