import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
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
