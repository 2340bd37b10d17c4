// The audit row of a state-changing API call commits in the same unit as the change when the method
// starts its write at once, and on its own otherwise; failed calls leave none.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { createUser } from "../support/fixtures.js";
import { startTestServer, type TestServer } from "../support/server.js";

for (const backend of BACKENDS) {
  describe(`audit log of API calls (${backend})`, () => {
    let t: TestServer;
    const apiRows = async () => (await t.server.app.auditLog.list({ source: "api" }, 0, 1000)).rows;

    before(async () => {
      t = await startTestServer(backend);
      await createUser(t, "alice");
    });
    after(() => t?.close());

    it("an adjustment and its audit row share one write unit", async () => {
      const stats = () => t.server.app.db.commitStats();
      const before = stats();
      assert.equal(await t.rpc.call("api.adjustUserAccountBalance", "alice", 2.5, "top-up"), true);
      const afterStats = stats();
      if (before && afterStats) assert.equal(afterStats.units - before.units, 1, "one write unit for the change and its audit row");
      const row = (await apiRows()).find((r) => r.action === "api.adjustUserAccountBalance");
      assert.ok(row);
      assert.equal(row.target, "alice");
      assert.match(row.detail, /2\.5/);
      assert.equal(row.actor, "tests");
    });

    it("a failed call leaves no audit row; calls that read before writing are still audited once", async () => {
      const count = (action: string) => apiRows().then((rows) => rows.filter((r) => r.action === action).length);
      const adjustments = await count("api.adjustUserAccountBalance");
      await t.rpc.fault("api.adjustUserAccountBalance", "nobody", 1, "x");
      assert.equal(await count("api.adjustUserAccountBalance"), adjustments);
      assert.equal(await t.rpc.call("api.addNewInternalUser", "bob", "pw", "Bob", "", "", ""), true);
      assert.equal(await t.rpc.call("api.setConfigValue", "custom.audit-test", "1"), true);
      assert.equal(await t.rpc.call("api.renameUserAccount", "bob", "robert"), true);
      assert.equal(await count("api.addNewInternalUser"), 1);
      assert.equal(await count("api.setConfigValue"), 1);
      assert.equal(await count("api.renameUserAccount"), 1);
    });
  });
}
