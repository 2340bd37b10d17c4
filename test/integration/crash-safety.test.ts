// Crash safety: a server in a child process is killed with SIGKILL in the middle of sustained balance
// adjustments and job processing, then restarted; the ledger must hold every acknowledged adjustment
// exactly once, the job log every acknowledged job exactly once with its charge, no unacknowledged one
// in part, and every balance must equal its ledger. On SQLite, on PostgreSQL, and
// with two nodes on one PostgreSQL where one is killed. Bounded in requests and time; loopback only.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { Database } from "../../src/db/database.js";
import { sqlitePathOf } from "../../src/server/start.js";
import { BACKENDS, createPostgresDatabase, type Backend } from "../support/backends.js";
import { prepareDataDir, startChildServer, type ChildServer } from "../support/child-server.js";
import { assertLedgerHoldsAcknowledged, startAdjustLoad } from "../support/adjust-load.js";
import { assertAuditClean } from "../support/audit.js";
import { assertJobsHoldAcknowledged, startJobLoad } from "../support/job-load.js";
import { waitFor, withDeadline } from "../support/wait.js";
import { summaryOf, waitForTask, type TaskStatus } from "../support/tasks.js";

const USERS = Array.from({ length: 10 }, (_, i) => `crash-user-${i}`);
const JOB_USERS = Array.from({ length: 4 }, (_, i) => `crash-printer-user-${i}`);
const ACKS_BEFORE_KILL = 150;
const JOBS_BEFORE_KILL = 40;
/** The task slot's stale bound for the task test, and the size of its import (long enough to outlive the kill). */
const TASK_STALE_MS = 3000;
const TASK_LINES = 1500;
/** Each job user's credit before the load, in cents; far more than the load can spend. */
const JOB_USER_CREDIT_CENTS = 100_000;

interface Site {
  dataDirs: string[];
  postgresUrl?: string;
  cleanup(): Promise<void>;
}

async function makeSite(backend: Backend, nodes = 1): Promise<Site> {
  const dataDirs = Array.from({ length: nodes }, () => mkdtempSync(join(tmpdir(), "quire-crash-")));
  const pg = backend === "postgres" ? await createPostgresDatabase() : undefined;
  await prepareDataDir(dataDirs[0], pg?.url, [...USERS, ...JOB_USERS]);
  return {
    dataDirs,
    postgresUrl: pg?.url,
    async cleanup() {
      await pg?.drop();
      for (const d of dataDirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

function openDatabase(site: Site): Database {
  return site.postgresUrl ? new Database({ postgresUrl: site.postgresUrl }) : new Database({ sqlitePath: sqlitePathOf(site.dataDirs[0]) });
}

async function balancesInCents(node: ChildServer): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const u of USERS) out.set(u, Math.round(((await node.rpc.call("api.getUserAccountBalance", u)) as number) * 100));
  return out;
}

/** What the job log says each job user was charged, in cents. */
async function jobChargesInCents(db: Database, tag: string): Promise<Map<string, number>> {
  const rows = await db.kysely.selectFrom("jobs").select(["username", "charged"]).where("comment", "like", `${tag}-%`).where("status", "=", "CHARGED").execute();
  const out = new Map<string, number>();
  for (const r of rows) out.set(r.username, (out.get(r.username) ?? 0) + Number(r.charged) / 10_000);
  return out;
}

const running: ChildServer[] = [];
after(async () => {
  for (const n of running) await n.kill();
});

async function start(site: Site, index = 0, extraArgs: string[] = []): Promise<ChildServer> {
  const node = await startChildServer(site.dataDirs[index], site.postgresUrl, extraArgs);
  running.push(node);
  return node;
}

for (const backend of BACKENDS) {
  describe(`crash safety (${backend})`, () => {
    it("after kill -9 mid-load and a restart, every acknowledged adjustment and job is in the ledger exactly once", { timeout: 120_000 }, async (t) => {
      const site = await makeSite(backend);
      try {
        let node = await start(site);
        for (const u of JOB_USERS) await node.rpc.call("api.adjustUserAccountBalance", u, { double: (JOB_USER_CREDIT_CENTS / 100).toFixed(2) }, "credit for jobs");
        const tag = `crash-${backend}`;
        const jobTag = `jobs-${backend}`;
        const load = startAdjustLoad({ urls: [node.url], clients: 6, usernames: USERS, maxPerClient: 400, tag });
        const jobs = startJobLoad({ urls: [node.url], clients: 4, usernames: JOB_USERS, maxPerClient: 300, tag: jobTag });
        await waitFor("enough acknowledged adjustments and jobs", () => load.acked() >= ACKS_BEFORE_KILL && jobs.acked() >= JOBS_BEFORE_KILL, 60_000, 5);
        await node.kill();
        await withDeadline(Promise.all([load.done, jobs.done]), 20_000, "the clients");

        const db = openDatabase(site);
        let check;
        let jobCheck;
        let chargedCents: Map<string, number>;
        try {
          check = await assertLedgerHoldsAcknowledged(db, load.sent, tag);
          jobCheck = await assertJobsHoldAcknowledged(db, jobs.sent, jobTag);
          chargedCents = await jobChargesInCents(db, jobTag);
        } finally {
          await db.close();
        }
        assert.ok(check.acked >= ACKS_BEFORE_KILL);
        assert.ok(jobCheck.acked >= JOBS_BEFORE_KILL);
        t.diagnostic(`adjustments: acknowledged ${check.acked}; unacknowledged but applied ${check.unacknowledgedApplied}; unacknowledged and absent ${check.unacknowledgedAbsent}`);
        t.diagnostic(`jobs: acknowledged ${jobCheck.acked}; unacknowledged but applied ${jobCheck.unacknowledgedApplied}; unacknowledged and absent ${jobCheck.unacknowledgedAbsent}`);

        node = await start(site);
        // The restarted server reports the balances the ledger proves.
        const balances = await balancesInCents(node);
        for (const u of USERS) assert.equal(balances.get(u), check.centsByUser.get(u) ?? 0, `balance of ${u}`);
        for (const u of JOB_USERS) {
          const cents = Math.round(((await node.rpc.call("api.getUserAccountBalance", u)) as number) * 100);
          assert.equal(cents, JOB_USER_CREDIT_CENTS - (chargedCents.get(u) ?? 0), `balance of ${u} after its jobs`);
        }
        assert.equal(await node.rpc.call("api.processJob", `user=${JOB_USERS[0]},server=crash-server,printer=crash-printer,cost=0.10,comment=after restart`), true);
        assert.equal(await node.rpc.call("api.adjustUserAccountBalance", USERS[0], { double: "1.00" }, "after restart"), true);
        await node.stop();
        const after = openDatabase(site);
        try {
          await assertAuditClean(after);
        } finally {
          await after.close();
        }
      } finally {
        await site.cleanup();
      }
    });
  });
}

if (BACKENDS.includes("postgres")) {
  describe("crash safety with two nodes on one PostgreSQL", () => {
    it("40 clients spread over both nodes adjusting the same 10 accounts end exact", { timeout: 120_000 }, async () => {
      const site = await makeSite("postgres", 2);
      try {
        const nodes = [await start(site, 0), await start(site, 1)];
        const tag = "two-nodes";
        const load = startAdjustLoad({ urls: nodes.map((n) => n.url), clients: 40, usernames: USERS, maxPerClient: 15, tag });
        await withDeadline(load.done, 90_000, "the clients");
        const outcomes = [...load.sent.values()].map((s) => s.outcome);
        assert.equal(outcomes.length, 600);
        assert.ok(outcomes.every((o) => o === "acked"), "every adjustment is acknowledged");
        const expected = new Map<string, number>();
        for (const s of load.sent.values()) expected.set(s.username, (expected.get(s.username) ?? 0) + s.cents);
        for (const node of nodes) assert.deepEqual(await balancesInCents(node), new Map(USERS.map((u) => [u, expected.get(u) ?? 0])));
        const db = openDatabase(site);
        try {
          const check = await assertLedgerHoldsAcknowledged(db, load.sent, tag);
          assert.equal(check.acked, 600);
        } finally {
          await db.close();
        }
        for (const n of nodes) await n.stop();
      } finally {
        await site.cleanup();
      }
    });

    it("killing one node mid-load loses nothing acknowledged; the other node carries on", { timeout: 120_000 }, async (t) => {
      const site = await makeSite("postgres", 2);
      try {
        const [a, b] = [await start(site, 0), await start(site, 1)];
        const tag = "node-killed";
        const kill: { ackedAt?: number } = {};
        const load = startAdjustLoad({
          urls: [a.url, b.url],
          clients: 16,
          usernames: USERS,
          maxPerClient: 400,
          tag,
          // Node B's clients go on until they have 100 more acknowledgements after the kill.
          shouldStop: () => kill.ackedAt !== undefined && load.acked() >= kill.ackedAt + 100,
        });
        await waitFor("enough acknowledged adjustments", () => load.acked() >= ACKS_BEFORE_KILL, 60_000, 5);
        await a.kill();
        const ackedAtKill = load.acked();
        kill.ackedAt = ackedAtKill;
        await withDeadline(load.done, 60_000, "the clients");
        assert.ok(load.acked() >= ackedAtKill + 100, "node B kept serving after node A died");
        const db = openDatabase(site);
        let check;
        try {
          check = await assertLedgerHoldsAcknowledged(db, load.sent, tag);
        } finally {
          await db.close();
        }
        t.diagnostic(`acknowledged ${check.acked}; unacknowledged but applied ${check.unacknowledgedApplied}; unacknowledged and absent ${check.unacknowledgedAbsent}`);
        const balances = await balancesInCents(b);
        for (const u of USERS) assert.equal(balances.get(u), check.centsByUser.get(u) ?? 0, `balance of ${u} on node B`);
        await b.stop();
      } finally {
        await site.cleanup();
      }
    });

    it("killing the node that runs a task: the other reports it interrupted after the stale bound and runs it again to the end", { timeout: 180_000 }, async (t) => {
      const site = await makeSite("postgres", 2);
      const staleArgs = ["--task-stale", String(TASK_STALE_MS)];
      const closers: Array<() => Promise<void>> = [];
      try {
        const [a, b] = [await start(site, 0, staleArgs), await start(site, 1, staleArgs)];
        const path = join(site.dataDirs[0], "task-users.tsv");
        const lines = Array.from({ length: TASK_LINES }, (_, i) => `task-user-${String(i).padStart(5, "0")}\t${i % 10}.50\tN\tTask User ${i}\t\t\t\t\t\t\t\t\t\t`);
        writeFileSync(path, lines.join("\n") + "\n");
        const probe = openDatabase(site);
        closers.push(() => probe.close());
        const imported = async () =>
          Number((await probe.kysely.selectFrom("users").select((eb) => eb.fn.countAll<number>().as("n")).where("username", "like", "task-user-%").executeTakeFirstOrThrow()).n);

        assert.equal(await a.rpc.call("api.batchImportUsers", path, true), true);
        // Both nodes report the running task; node B refuses a second one while node A is alive.
        await waitFor("node A's task to show on node B", async () => {
          const s = await b.rpc.callRaw<TaskStatus>("api.getTaskStatus", []);
          return !s.completed && /Batch user import started/.test(s.message);
        }, 10_000, 20);
        const refused = await b.rpc.fault("api.batchImportUsers", path, true);
        assert.match(refused.faultString, /Another background task is running/);
        // Kill node A once at least one batch is in, well before the file's end.
        await waitFor("the first batch of the import", async () => (await imported()) >= 500, 60_000, 50);
        await a.kill();
        const killedAt = Date.now();
        const atKill = await imported();
        t.diagnostic(`${atKill} of ${TASK_LINES} lines imported when node A died`);
        assert.ok(atKill < TASK_LINES, `the task was still running when node A died (${atKill} imported)`);
        // All or nothing per batch: the import writes 500 lines per transaction, so no batch is in part.
        assert.equal(atKill % 500, 0, `${atKill} users imported: a batch was half applied`);

        // Node B reports the task as interrupted once node A's heartbeat is older than the stale bound.
        const interrupted = await waitFor("node B to report the task interrupted", async () => {
          const s = await b.rpc.callRaw<TaskStatus>("api.getTaskStatus", []);
          return s.completed ? s : undefined;
        }, TASK_STALE_MS + 10_000, 50);
        assert.match(summaryOf(interrupted), /Interrupted: the node running this task stopped/);
        assert.ok(Date.now() - killedAt <= TASK_STALE_MS + 10_000);
        const db = openDatabase(site);
        try {
          await assertAuditClean(db);
        } finally {
          await db.close();
        }

        // Node B can now run the import again; it finishes, updating what node A had done.
        assert.equal(await b.rpc.call("api.batchImportUsers", path, true), true);
        const done = await waitForTask(b.rpc, 120_000);
        assert.equal(summaryOf(done).replace(/^.* - /, ""), `User import complete: ${TASK_LINES} lines processed, ${TASK_LINES - atKill} users created, ${atKill} updated, 0 skipped (unknown users), 0 errors.`);
        assert.equal(await imported(), TASK_LINES);
        assert.equal(await b.rpc.call("api.getUserAccountBalance", `task-user-${String(TASK_LINES - 1).padStart(5, "0")}`), ((TASK_LINES - 1) % 10) + 0.5);
        await b.stop();
        const after = openDatabase(site);
        try {
          await assertAuditClean(after);
        } finally {
          await after.close();
        }
      } finally {
        for (const c of closers) await c();
        await site.cleanup();
      }
    });
  });
}
