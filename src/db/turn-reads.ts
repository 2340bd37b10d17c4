// The direct reads of one event-loop turn share one SQLite read transaction. In WAL mode every statement
// outside a transaction begins and ends a read transaction of its own, and each of those takes and
// releases a read lock on the WAL index (two fcntl system calls): for a one-row lookup that is more
// work than the lookup. Under load the server reads the requests of many
// connections in one turn; their reads now lock once, in a transaction that ends when the turn's I/O
// callbacks are done (setImmediate), before anything else may use the connection.
//
// What a reader sees does not change: this connection's own writes all go through Kysely or the group
// committer, which end the read transaction before they take the connection, so every read issued after
// a write was acknowledged sees it. Only a commit by another process in the middle of a turn shows one
// turn later.
import type BetterSqlite3 from "better-sqlite3";

export class TurnReads {
  private open = false;
  private readonly begin: BetterSqlite3.Statement;
  private readonly commit: BetterSqlite3.Statement;
  private readonly rollback: BetterSqlite3.Statement;

  /** `held` tells whether Kysely (a query, a transaction, the group committer) holds the connection. */
  constructor(
    private readonly db: BetterSqlite3.Database,
    private readonly held: () => boolean,
  ) {
    this.begin = db.prepare("begin");
    this.commit = db.prepare("commit");
    this.rollback = db.prepare("rollback");
  }

  /** Before a direct read on the free connection: joins the turn's read transaction, opening it if needed. */
  enter(): void {
    if (this.open || this.held() || this.db.inTransaction) return;
    this.begin.run();
    this.open = true;
    setImmediate(this.leave);
  }

  /** Ends the turn's read transaction, if one is open: at the end of the turn, and before anything else uses the connection. */
  readonly leave = (): void => {
    if (!this.open) return;
    this.open = false;
    if (!this.db.open || !this.db.inTransaction) return;
    try {
      this.commit.run();
    } catch {
      // A read-only transaction has nothing to commit; whatever went wrong, leave the connection outside any transaction.
      if (this.db.inTransaction) this.rollback.run();
    }
  };
}
