import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { ManualClock } from "../../src/kernel/clock.js";
import { silentLog } from "../../src/kernel/log.js";
import { TaskRunner } from "../../src/tasks/service.js";
import { openTestContext, type TestContext } from "../support/context.js";
import { startTestServer, type TestServer } from "../support/server.js";

for (const backend of BACKENDS) {
  describe(`background task runner (${backend})`, () => {
    let t: TestContext;
    before(async () => {
      t = await openTestContext(backend);
    });
    after(async () => {
      await t?.close();
    });

    it("reports completed with an empty message before any task ran", async () => {
      assert.deepEqual(await t.app.tasks.status(), { completed: true, message: "" });
    });

    it("grows the message line by line, refuses a second task while one runs, and ends with the summary", async () => {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      await t.app.tasks.start("test task", "Test task started", async (progress) => {
        await progress.line("step 1");
        await gate;
        await progress.line("step 2");
        return "Test task complete: 2 steps.";
      });
      const seen: string[] = [];
      const deadline = Date.now() + 5000;
      while (!(await t.app.tasks.status()).message.includes("step 1")) {
        assert.ok(Date.now() < deadline, "step 1 never appeared");
        await new Promise((r) => setTimeout(r, 5));
      }
      const mid = await t.app.tasks.status();
      seen.push(mid.message);
      assert.equal(mid.completed, false);
      await assert.rejects(
        t.app.tasks.start("other", "Other started", async () => "never"),
        /Another background task is running \(test task\)/,
      );
      release();
      await t.app.tasks.whenIdle();
      const done = await t.app.tasks.status();
      assert.equal(done.completed, true);
      assert.ok(done.message.startsWith(seen[0]), "the message only grows by appended text");
      const lines = done.message.trimEnd().split("\n");
      assert.equal(lines.length, 4);
      assert.match(lines[0], /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d - Test task started$/);
      assert.match(lines[3], / - Test task complete: 2 steps\.$/);
    });

    it("a task whose node stops its heartbeat is reported interrupted after the stale bound, and its slot can be taken", async () => {
      const clock = new ManualClock(Date.now());
      // Two runners on one database stand for two nodes; the first one's heartbeat never fires (a dead node).
      const dead = new TaskRunner(t.app.db, clock, silentLog, { staleMs: 5_000, heartbeatMs: 3_600_000 });
      const other = new TaskRunner(t.app.db, clock, silentLog, { staleMs: 5_000, heartbeatMs: 3_600_000 });
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      await dead.start("stuck task", "Stuck task started", async () => {
        await gate;
        return "Stuck task complete.";
      });
      clock.advance(4_000);
      assert.equal((await other.status()).completed, false);
      await assert.rejects(other.start("second task", "Second task started", async () => "never"), /Another background task is running/);
      clock.advance(2_000);
      const status = await other.status();
      assert.equal(status.completed, true);
      assert.match(status.message, /Stuck task started\n.* - Interrupted: the node running this task stopped \(no heartbeat for 5 s\)/);
      await other.start("second task", "Second task started", async () => "Second task complete.");
      await other.whenIdle();
      // The stale task finishing late does not touch the new task's status.
      release();
      await dead.whenIdle();
      const after = await other.status();
      assert.equal(after.completed, true);
      assert.match(after.message, /^.* - Second task started\n.* - Second task complete\.\n$/);
    });

    it("a failing task completes with a Failed summary line and frees the slot", async () => {
      await t.app.tasks.start("failing", "Failing task started", async () => {
        throw new Error("disk on fire");
      });
      await t.app.tasks.whenIdle();
      const status = await t.app.tasks.status();
      assert.equal(status.completed, true);
      assert.match(status.message.trimEnd().split("\n").pop() ?? "", /Failed: disk on fire$/);
      await t.app.tasks.start("next", "Next started", async () => "Next done.");
      await t.app.tasks.whenIdle();
      assert.match((await t.app.tasks.status()).message, /^.* - Next started\n.* - Next done\.\n$/);
    });
  });
}

describe("api.getTaskStatus over XML-RPC", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer("sqlite");
  });
  after(async () => {
    await t?.close();
  });

  it("needs no token and ignores one stray string parameter", async () => {
    assert.deepEqual(await t.rpc.callRaw("api.getTaskStatus", []), { completed: true, message: "" });
    assert.deepEqual(await t.rpc.callRaw("api.getTaskStatus", ["some-token"]), { completed: true, message: "" });
  });
});
