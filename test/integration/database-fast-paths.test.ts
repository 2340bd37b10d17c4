// The database fast paths: precompiled queries, raw SQLite rows and group commit with its own log sync.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createContext, type AppContext } from "../../src/context.js";
import { precompiled } from "../../src/db/precompiled.js";
import { BACKENDS, createPostgresDatabase } from "../support/backends.js";

const actor = { application: "tests" };

for (const backend of BACKENDS) {
  describe(`database fast paths (${backend})`, () => {
    let app: AppContext;
    let dataDir: string;
    let drop: (() => Promise<void>) | undefined;
    const open = async () => {
      const pgdb = backend === "postgres" ? await createPostgresDatabase() : undefined;
      drop = pgdb?.drop;
      return { postgresUrl: pgdb?.url, sqlitePath: join(dataDir, "quire.db") };
    };
    let options: { postgresUrl?: string; sqlitePath: string };

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "quire-fast-"));
      options = await open();
      app = await createContext({ dataDir, database: options });
      await app.db.write(async (trx) => {
        for (const username of ["carol", "alice", "dave", "bob"]) await app.users.createUser(trx, { username, source: "internal" }, actor);
      });
    });
    after(async () => {
      await app?.close();
      await drop?.();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("a precompiled query binds its arguments by position on every call, in and out of a transaction", async () => {
      const namesFrom = precompiled((db, from: string, limit: number) =>
        db.selectFrom("users").select(["username", "id"]).where("username", ">=", from).where("deleted_at", "is", null).orderBy("username").limit(limit),
      );
      assert.deepEqual((await namesFrom.execute(app.db.kysely, "b", 2)).map((r) => r.username), ["bob", "carol"]);
      assert.deepEqual((await namesFrom.execute(app.db.kysely, "a", 1)).map((r) => r.username), ["alice"]);
      assert.equal(await namesFrom.takeFirst(app.db.kysely, "zzz", 5), undefined);
      const inside = await app.db.write(async (trx) => (await namesFrom.execute(trx, "c", 10)).map((r) => r.username));
      assert.deepEqual(inside, ["carol", "dave"]);
    });

    it("precompiled writes report their effect and are visible to the next read", async () => {
      const rename = precompiled((db, to: string, from: string) => db.updateTable("users").set({ full_name: to }).where("username", "=", from));
      const result = await app.db.write((trx) => rename.run(trx, "Dave D", "dave"));
      assert.equal(Number(result.numAffectedRows), 1);
      assert.equal(await app.users.getUserProperties("dave", ["full-name"]).then(([v]) => v), "Dave D");
    });

    it("concurrent adjustments are all applied exactly, and a failing one fails alone", async () => {
      const amounts = Array.from({ length: 40 }, (_, i) => (i + 1) * 10_000);
      const results = await Promise.allSettled([
        ...amounts.map((a) => app.users.adjustUserAccountBalance("alice", a, "batch", undefined, actor)),
        app.users.adjustUserAccountBalance("nobody", 1_000_000, "batch", undefined, actor),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 40);
      const failed = results.at(-1)!;
      assert.equal(failed.status, "rejected");
      assert.match(String((failed as PromiseRejectedResult).reason), /nobody/);
      assert.equal(await app.users.getUserAccountBalance("alice"), amounts.reduce((a, b) => a + b, 0));
    });

    it("a named personal account is created on first adjustment and then found directly", async () => {
      await app.users.adjustUserAccountBalance("bob", 2_000_000, "first", "Printing", actor);
      await app.users.adjustUserAccountBalance("bob", 500_000, "second", "Printing", actor);
      assert.equal(await app.users.getUserAccountBalance("bob", "Printing"), 2_500_000);
      assert.equal(await app.users.getUserAccountBalance("bob"), 2_500_000);
    });

    it("a read outside a write never sees the write's uncommitted rows, and a failed unit leaves nothing behind", async () => {
      const reads: Array<Promise<boolean>> = [];
      const failed = app.db.write(async (trx) => {
        await app.users.createUser(trx, { username: "ghost", source: "internal" }, actor);
        // Issued while the unit holds the connection: it must wait for the outcome, not read half-way.
        reads.push(app.users.isUserExists("ghost"));
        await new Promise((resolve) => setTimeout(resolve, 20));
        reads.push(app.users.isUserExists("ghost"));
        throw new Error("abandon the unit");
      });
      await assert.rejects(failed, /abandon the unit/);
      assert.deepEqual(await Promise.all(reads), [false, false]);
      assert.equal(await app.users.isUserExists("ghost"), false);
      if (backend === "postgres") return; // there reads run on other connections, before or after the commit
      // On SQLite's single connection a read issued inside a unit waits for the batch's durable commit.
      const seen: Array<Promise<boolean>> = [];
      await app.db.write(async (trx) => {
        await app.users.createUser(trx, { username: "casper", source: "internal" }, actor);
        seen.push(app.users.isUserExists("casper"));
      });
      assert.deepEqual(await Promise.all(seen), [true]);
    });

    it("reads, writes and Kysely queries started in one turn all run, and everything after the write sees it", async () => {
      // On SQLite the first direct read opens the turn's read transaction; the write unit, the Kysely
      // query and the transaction below must each find the connection outside it.
      const first = app.users.isUserExists("turnmate");
      const write = app.db.write((trx) => app.users.createUser(trx, { username: "turnmate", source: "internal" }, actor));
      const viaKysely = app.db.kysely.selectFrom("users").select("username").where("username", "=", "alice").executeTakeFirst();
      const second = app.users.getUserProperties("alice", ["restricted", "office"]);
      const snapshot = app.db.snapshot((trx) => trx.selectFrom("users").select("username").where("username", "=", "dave").executeTakeFirst());
      assert.equal(await first, false);
      assert.deepEqual(await second, ["false", ""]);
      assert.equal((await viaKysely)?.username, "alice");
      assert.equal((await snapshot)?.username, "dave");
      await write;
      assert.equal(await app.users.isUserExists("turnmate"), true);
      // And again with the write acknowledged first and the reads in the same turn as its acknowledgement.
      const adjusted = app.users.adjustUserAccountBalance("turnmate", 1_500_000, "same turn", undefined, actor).then(() => app.users.getUserAccountBalance("turnmate"));
      assert.equal(await adjusted, 1_500_000);
    });

    if (backend === "sqlite") {
      it("group commit shares commits between concurrent writes, and acknowledged writes survive reopening", async () => {
        const start = app.db.commitStats()!;
        await Promise.all(Array.from({ length: 30 }, () => app.users.adjustUserAccountBalance("carol", 1_000_000, "together", undefined, actor)));
        const end = app.db.commitStats()!;
        assert.equal(end.units - start.units, 30);
        assert.ok(end.commits - start.commits < 30, `expected shared commits, got ${end.commits - start.commits} for 30 writes`);
        await app.close();
        app = await createContext({ dataDir, database: options });
        assert.equal(await app.users.getUserAccountBalance("carol"), 30_000_000);
      });
    } else {
      it("reports no group-commit counters on PostgreSQL", () => {
        assert.equal(app.db.commitStats(), undefined);
      });
    }
  });
}
