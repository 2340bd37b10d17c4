import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";

for (const backend of BACKENDS) {
  describe(`users and personal accounts (${backend})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => {
      await t?.close();
    });

    it("isUserExists is false for an unknown user and true after addNewInternalUser", async () => {
      assert.equal(await t.rpc.call("api.isUserExists", "alice"), false);
      assert.equal(await t.rpc.call("api.addNewInternalUser", "alice", "pw1", "Alice A", "alice@example.org", "C-100", "1234"), true);
      assert.equal(await t.rpc.call("api.isUserExists", "alice"), true);
    });

    it("adjustUserAccountBalance adds exactly and getUserAccountBalance returns a double", async () => {
      await t.rpc.call("api.adjustUserAccountBalance", "alice", { double: 10.01 }, "top up");
      await t.rpc.call("api.adjustUserAccountBalance", "alice", { double: -0.02 }, "fix");
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "alice"), 9.99);
    });

    it("an unknown user faults with PaperCut's message", async () => {
      const fault = await t.rpc.fault("api.getUserAccountBalance", "nobody");
      assert.match(fault.faultString, /The user with name nobody could not be found\./);
    });
  });
}
