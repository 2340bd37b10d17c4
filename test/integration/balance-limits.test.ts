// Found by the long fuzz run: repeated maximal adjustments took a balance past 2^53 micros, where SQLite
// stored a rounded REAL and the balance no longer equalled its ledger. Balances stay within ±MAX_MICROS,
// and the audit finds every account consistent after the refused changes.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { assertAuditClean } from "../support/audit.js";

const MAX = "4503599627.370495";

for (const backend of BACKENDS) {
  describe(`balance limits (${backend})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
      await t.rpc.call("api.addNewInternalUser", "whale", "pw", "Whale", "", "", "");
    });
    after(async () => {
      await t?.close();
    });

    it("refuses an adjustment that would take a balance beyond the largest amount, and changes nothing", async () => {
      await t.rpc.call("api.adjustUserAccountBalance", "whale", { double: `-${MAX}` }, "down");
      const fault = await t.rpc.fault("api.adjustUserAccountBalance", "whale", { double: "-0.01" }, "too far");
      assert.equal(fault.faultCode, 0);
      assert.match(fault.faultString, /beyond ±4503599627\.370495/);
      assert.equal(await t.rpc.call("api.adjustUserAccountBalanceIfAvailable", "whale", { double: `-${MAX}` }, "too far"), false);
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "whale"), -4503599627.370495);
      await t.rpc.call("api.setUserAccountBalance", "whale", { double: MAX }, "up");
      assert.match((await t.rpc.fault("api.adjustUserAccountBalance", "whale", { double: "0.000001" }, "over")).faultString, /beyond ±4503599627\.370495/);
      await assertAuditClean(t.server.app);
    });
  });
}
