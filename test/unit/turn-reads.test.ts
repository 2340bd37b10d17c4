// The read transaction shared by the direct reads of one event-loop turn, on a real SQLite file in WAL mode.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { after, before, describe, it } from "node:test";
import { TurnReads } from "../../src/db/turn-reads.js";

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("TurnReads", () => {
  let dir: string;
  let file: string;
  let db: BetterSqlite3.Database;
  let other: BetterSqlite3.Database;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "quire-turn-reads-"));
    file = join(dir, "t.db");
    db = new BetterSqlite3(file);
    db.pragma("journal_mode = WAL");
    db.exec("create table t (v integer)");
    db.prepare("insert into t values (1)").run();
    other = new BetterSqlite3(file);
  });
  after(() => {
    db.close();
    other.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const count = () => db.prepare("select count(*) from t").pluck().get() as number;

  it("reads of one turn share one snapshot, and the transaction ends with the turn", async () => {
    const reads = new TurnReads(db, () => false);
    reads.enter();
    assert.equal(db.inTransaction, true);
    const first = count();
    // Another process commits in the middle of the turn: not seen until the next turn.
    other.prepare("insert into t values (2)").run();
    reads.enter();
    assert.equal(count(), first);
    await nextTurn();
    assert.equal(db.inTransaction, false, "the turn's read transaction is over");
    reads.enter();
    assert.equal(count(), first + 1);
    await nextTurn();
    assert.equal(db.inTransaction, false);
  });

  it("leave ends the transaction at once, so a write after it commits on its own", async () => {
    const reads = new TurnReads(db, () => false);
    reads.enter();
    const before = count();
    reads.leave();
    assert.equal(db.inTransaction, false);
    db.prepare("insert into t values (3)").run();
    // Committed: another connection sees it without waiting for the turn to end.
    assert.equal(other.prepare("select count(*) from t").pluck().get(), before + 1);
    await nextTurn();
    assert.equal(db.inTransaction, false);
  });

  it("opens nothing while the connection is held or already inside a transaction", async () => {
    let held = true;
    const reads = new TurnReads(db, () => held);
    reads.enter();
    assert.equal(db.inTransaction, false, "a held connection is left to its holder");
    held = false;
    db.exec("begin");
    reads.enter();
    reads.leave();
    assert.equal(db.inTransaction, true, "someone else's transaction is not ended by leave");
    db.exec("commit");
    await nextTurn();
    assert.equal(db.inTransaction, false);
  });

  it("does nothing at the end of the turn when the database was closed meanwhile", async () => {
    const own = new BetterSqlite3(file);
    const reads = new TurnReads(own, () => false);
    reads.enter();
    own.close();
    await nextTurn(); // the scheduled end must not throw on the closed handle
    assert.equal(own.open, false);
  });
});
