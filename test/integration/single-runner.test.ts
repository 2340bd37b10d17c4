import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { Database } from "../../src/db/database.js";
import { SingleRunner, advisoryKeyOf } from "../../src/db/single-runner.js";
import { BACKENDS, createPostgresDatabase } from "../support/backends.js";
import { waitFor, withDeadline } from "../support/wait.js";

/** A promise and the function that settles it, to hold work open while the test looks. */
function gate(): { opened: Promise<void>; open(): void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

for (const backend of BACKENDS) {
  describe(`SingleRunner (${backend})`, () => {
    let db: Database;
    let drop: (() => Promise<void>) | undefined;
    before(async () => {
      if (backend === "postgres") {
        const pgdb = await createPostgresDatabase();
        drop = pgdb.drop;
        db = new Database({ postgresUrl: pgdb.url });
      } else db = new Database({ sqlitePath: ":memory:" });
    });
    after(async () => {
      await db?.close();
      await drop?.();
    });

    it("refuses a second run of the same work while the first runs, and allows it afterwards", async () => {
      const runner = new SingleRunner(db);
      const g = gate();
      const first = runner.runExclusive("quota", async () => {
        await g.opened;
        return "first";
      });
      await waitFor("the first run to start", () => runner.isRunningHere("quota"));
      assert.deepEqual(await runner.runExclusive("quota", async () => "second"), { ran: false });
      assert.deepEqual(await runner.runExclusive("other", async () => "other"), { ran: true, value: "other" });
      g.open();
      assert.deepEqual(await first, { ran: true, value: "first" });
      assert.deepEqual(await runner.runExclusive("quota", async () => "third"), { ran: true, value: "third" });
    });

    it("releases the guard when the work throws", async () => {
      const runner = new SingleRunner(db);
      await assert.rejects(runner.runExclusive("failing", async () => Promise.reject(new Error("boom"))), /boom/);
      assert.deepEqual(await runner.runExclusive("failing", async () => 1), { ran: true, value: 1 });
    });
  });
}

if (BACKENDS.includes("postgres")) {
  describe("SingleRunner across nodes on one PostgreSQL", () => {
    let url: string;
    let drop: () => Promise<void>;
    const nodes: Database[] = [];
    before(async () => {
      ({ url, drop } = await createPostgresDatabase());
      nodes.push(new Database({ postgresUrl: url }), new Database({ postgresUrl: url }));
    });
    after(async () => {
      for (const n of nodes) await n.close();
      await drop?.();
    });

    async function advisoryHolders(): Promise<number[]> {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        const { rows } = await c.query<{ pid: number }>(
          "select pid from pg_locks where locktype = 'advisory' and granted and database = (select oid from pg_database where datname = current_database())",
        );
        return rows.map((r) => r.pid);
      } finally {
        await c.end();
      }
    }

    it("runs work on one node at a time: the other node is refused while it runs", async () => {
      const [a, b] = nodes.map((n) => new SingleRunner(n));
      const g = gate();
      let runs = 0;
      const onA = a.runExclusive("group-quota", async () => {
        runs++;
        await g.opened;
      });
      await waitFor("node A to hold the lock", async () => (await advisoryHolders()).length === 1);
      assert.deepEqual(await b.runExclusive("group-quota", async () => runs++), { ran: false });
      g.open();
      await onA;
      assert.equal(runs, 1);
      assert.equal((await b.runExclusive("group-quota", async () => ++runs)).ran, true);
      assert.equal(runs, 2);
    });

    it("aborts the work's signal when the node loses its session, and another node takes over", async () => {
      const [a, b] = nodes.map((n) => new SingleRunner(n));
      let seenAbort = false;
      const onA = a.runExclusive("sync", (signal) => new Promise<void>((resolve) => signal.addEventListener("abort", () => ((seenAbort = true), resolve()))));
      const [pid] = await waitFor("node A to hold the lock", async () => {
        const pids = await advisoryHolders();
        return pids.length === 1 ? pids : undefined;
      });
      const admin = new pg.Client({ connectionString: url });
      await admin.connect();
      await admin.query("select pg_terminate_backend($1)", [pid]);
      await admin.end();
      await withDeadline(onA, 10_000, "node A's work");
      assert.equal(seenAbort, true);
      assert.deepEqual(await b.runExclusive("sync", async () => "taken over"), { ran: true, value: "taken over" });
    });

    it("a node killed with SIGKILL while running work releases it to the other node", async () => {
      const script = `
        const { Database } = await import(${JSON.stringify(new URL("../../src/db/database.js", import.meta.url).href)});
        const { SingleRunner } = await import(${JSON.stringify(new URL("../../src/db/single-runner.js", import.meta.url).href)});
        const runner = new SingleRunner(new Database({ postgresUrl: process.env.URL }));
        await runner.runExclusive("backup", () => { process.stdout.write("running\\n"); return new Promise(() => setInterval(() => {}, 1000)); });`;
      const child = spawn(process.execPath, ["--input-type=module", "-e", script], { env: { ...process.env, URL: url }, stdio: ["ignore", "pipe", "inherit"] });
      try {
        let out = "";
        child.stdout.on("data", (d: Buffer) => (out += d.toString()));
        await waitFor("the child node to start the work", () => out.includes("running"), 15_000);
        const b = new SingleRunner(nodes[1]);
        assert.deepEqual(await b.runExclusive("backup", async () => "no"), { ran: false });
        child.kill("SIGKILL");
        const outcome = await waitFor("the lock to be released", async () => {
          const r = await b.runExclusive("backup", async () => "taken over");
          return r.ran ? r : undefined;
        }, 15_000, 100);
        assert.deepEqual(outcome, { ran: true, value: "taken over" });
      } finally {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      }
    });

    it("derives a stable 64-bit key from the work name", () => {
      assert.equal(advisoryKeyOf("backup"), advisoryKeyOf("backup"));
      assert.notEqual(advisoryKeyOf("backup"), advisoryKeyOf("sync"));
      assert.ok(BigInt(advisoryKeyOf("backup")) < 2n ** 63n);
    });
  });
}

