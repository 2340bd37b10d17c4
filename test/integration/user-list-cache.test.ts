// listUserAccounts pages are cached on SQLite against a version the database's triggers keep; every way
// a username can appear, change or disappear must show in the very next listing, on both backends.
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { createUser } from "../support/fixtures.js";
import { methodCallXml, postRaw } from "../support/rpc-client.js";
import { startTestServer, TEST_TOKEN, type TestServer } from "../support/server.js";
import { waitForTask } from "../support/tasks.js";
import { sqlitePathOf } from "../../src/server/start.js";

for (const backend of BACKENDS) {
  describe(`listUserAccounts after changes (${backend})`, () => {
    let t: TestServer;
    const list = () => t.rpc.call<string[]>("api.listUserAccounts", 0, 1000);

    before(async () => {
      t = await startTestServer(backend);
      for (const name of ["bob", "alice", "carol"]) await createUser(t, name);
    });
    after(() => t?.close());

    it("shows created, renamed, deleted and imported users in the next call, and pages stay exact", async () => {
      assert.deepEqual(await list(), ["alice", "bob", "carol"]);
      assert.deepEqual(await list(), ["alice", "bob", "carol"]); // a repeat (cached on SQLite) is the same
      assert.deepEqual(await t.rpc.call("api.listUserAccounts", 1, 1), ["bob"]);

      assert.equal(await t.rpc.call("api.addNewInternalUser", "dave", "pw", "", "", "", ""), true);
      assert.deepEqual(await list(), ["alice", "bob", "carol", "dave"]);
      assert.deepEqual(await t.rpc.call("api.listUserAccounts", 1, 1), ["bob"]);

      assert.equal(await t.rpc.call("api.renameUserAccount", "bob", "aaron"), true);
      assert.deepEqual(await list(), ["aaron", "alice", "carol", "dave"]);
      assert.deepEqual(await t.rpc.call("api.listUserAccounts", 1, 1), ["alice"]);

      assert.equal(await t.rpc.call("api.deleteExistingUser", "carol", false), true);
      assert.deepEqual(await list(), ["aaron", "alice", "dave"]);

      // A balance change is not a change of the list: still right either way.
      assert.equal(await t.rpc.call("api.adjustUserAccountBalance", "alice", 1.5, "top-up"), true);
      assert.deepEqual(await list(), ["aaron", "alice", "dave"]);

      const file = join(t.dataDir, "users.tsv");
      writeFileSync(file, "erin\t\t\tErin E\nfrank\t\t\tFrank F\n");
      await t.rpc.call("api.batchImportUsers", file, true);
      const status = await waitForTask(t.rpc);
      assert.ok(status.completed);
      assert.deepEqual(await list(), ["aaron", "alice", "dave", "erin", "frank"]);
    });

    it("pages stay exact when more pages are asked for than the cache keeps", async () => {
      const all = await t.rpc.call<string[]>("api.listUserAccounts", 0, 100_000);
      for (let round = 0; round < 2; round++) {
        for (let offset = 0; offset < 70; offset++) {
          assert.deepEqual(await t.rpc.call("api.listUserAccounts", offset, 2), all.slice(offset, offset + 2), `page at ${offset}`);
        }
      }
    });

    it("answers a repeated page byte for byte, its length counted in UTF-8 bytes, and the next change shows", async () => {
      await createUser(t, "björn-ünïcode");
      const body = methodCallXml("api.listUserAccounts", [TEST_TOKEN, 0, 1000]);
      const first = await postRaw(t.url, body);
      const second = await postRaw(t.url, body);
      assert.ok(first.body.includes("<value>björn-ünïcode</value>"), first.body);
      assert.equal(second.body, first.body);
      for (const response of [first, second]) {
        assert.equal(Number(response.headers["content-length"]), Buffer.byteLength(response.body));
        assert.match(String(response.headers["content-type"]), /^text\/xml/);
      }
      await createUser(t, "björn-2");
      const third = await postRaw(t.url, body);
      assert.ok(third.body.includes("<value>björn-2</value>"), third.body);
    });

    if (backend === "sqlite") {
      it("sees a user written by another process straight into the database file", async () => {
        const before = await list();
        const other = new BetterSqlite3(sqlitePathOf(t.dataDir));
        try {
          other.pragma("busy_timeout = 5000");
          other.prepare("insert into users (username, source, created_at) values (?, 'test', ?)").run("zed", Date.now());
        } finally {
          other.close();
        }
        assert.deepEqual(await list(), [...before, "zed"]);
      });
    }
  });
}
