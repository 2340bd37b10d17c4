// Personal account balances over real HTTP and HTTPS, on SQLite and PostgreSQL: reading, adjusting
// (plain, if available, leave remaining, by card), setting, and overdraft modes.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { assertFault, assertLedgerInvariant, clientFor, createUser, ledgerOfUser, TRANSPORTS } from "../support/fixtures.js";
import type { RpcClient } from "../support/rpc-client.js";
import { startTestServer, type TestServer } from "../support/server.js";

const NOT_FOUND = (name: string) => new RegExp(`^java\\.lang\\.IllegalArgumentException: The user with name ${name} could not be found\\.$`);

for (const backend of BACKENDS) {
  for (const transport of TRANSPORTS) {
    describe(`personal accounts (${backend}, ${transport})`, () => {
      let t: TestServer;
      let rpc: RpcClient;
      let n = 0;
      /** A fresh user for each test, so tests do not depend on each other. */
      const fresh = async (fields = {}) => {
        const name = `user${++n}`;
        const id = await createUser(t, name, fields);
        return { name, id };
      };
      const restricted = async (balance: number) => {
        const u = await fresh();
        await rpc.call("api.setUserProperty", u.name, "restricted", "TRUE");
        if (balance !== 0) await rpc.call("api.setUserAccountBalance", u.name, { double: balance }, "opening balance");
        return u;
      };

      before(async () => {
        t = await startTestServer(backend);
        rpc = clientFor(t, transport);
      });
      afterEach(async () => {
        await assertLedgerInvariant(t);
      });
      after(async () => {
        await t?.close();
      });

      it("a new user's balance is 0.0", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 0);
      });

      it("adjustUserAccountBalance adds and deducts exactly and logs each change with comment and caller", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.adjustUserAccountBalance", u.name, { double: "10.01" }, "  top up  "), true);
        assert.equal(await rpc.call("api.adjustUserAccountBalance", u.name, { double: "-0.02" }, ""), true);
        assert.equal(await rpc.call("api.adjustUserAccountBalance", u.name, { double: "0.1" }, "x"), true);
        assert.equal(await rpc.call("api.adjustUserAccountBalance", u.name, { double: "0.2" }, "y"), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 10.29);
        const rows = await ledgerOfUser(t, u.id);
        assert.deepEqual(
          rows.map((r) => [Number(r.amount), Number(r.balance_after), r.kind, r.comment, r.created_by]),
          [
            [10_010_000, 10_010_000, "adjustment", "top up", "tests"],
            [-20_000, 9_990_000, "adjustment", "", "tests"],
            [100_000, 10_090_000, "adjustment", "x", "tests"],
            [200_000, 10_290_000, "adjustment", "y", "tests"],
          ],
        );
      });

      it("adjustUserAccountBalance takes an <int> amount and is not bounded by credit", async () => {
        const u = await restricted(0);
        assert.equal(await rpc.call("api.adjustUserAccountBalance", u.name, -3, "charge"), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), -3);
      });

      it("balance methods fault for an unknown user", async () => {
        await assertFault(rpc.call("api.getUserAccountBalance", "nobody"), 0, NOT_FOUND("nobody"));
        await assertFault(rpc.call("api.adjustUserAccountBalance", "nobody", { double: 1 }, ""), 0, NOT_FOUND("nobody"));
        await assertFault(rpc.call("api.adjustUserAccountBalanceIfAvailable", "nobody", { double: -1 }, ""), 0, NOT_FOUND("nobody"));
        await assertFault(rpc.call("api.adjustUserAccountBalanceIfAvailableLeaveRemaining", "nobody", { double: -1 }, { double: 0 }, ""), 0, NOT_FOUND("nobody"));
        await assertFault(rpc.call("api.setUserAccountBalance", "nobody", { double: 1 }, ""), 0, NOT_FOUND("nobody"));
        await assertFault(rpc.call("api.getUserOverdraftMode", "nobody"), 0, NOT_FOUND("nobody"));
        await assertFault(rpc.call("api.setUserOverdraftMode", "nobody", "default"), 0, NOT_FOUND("nobody"));
      });

      it("amounts too large for exact money fault without changing anything", async () => {
        const u = await fresh();
        await assertFault(rpc.call("api.adjustUserAccountBalance", u.name, { double: "1e300" }, ""), 0, /adjustment 1e300 is out of range/);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 0);
        assert.equal((await ledgerOfUser(t, u.id)).length, 0);
      });

      it("a balance cannot be pushed beyond the range kept exactly: the change faults and nothing is written", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.adjustUserAccountBalance", u.name, { double: "4000000000" }, "big"), true);
        await assertFault(rpc.call("api.adjustUserAccountBalance", u.name, { double: "1000000000" }, "too big"), 0, /would take the balance beyond ±4503599627\.370495/);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: "1000000000" }, "too big"), false);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 4_000_000_000);
        assert.equal(await rpc.call("api.adjustUserAccountBalance", u.name, { double: "-4000000000" }, "down"), true);
        assert.equal(await rpc.call("api.adjustUserAccountBalance", u.name, { double: "-4000000000" }, "down again"), true);
        await assertFault(rpc.call("api.adjustUserAccountBalance", u.name, { double: "-1000000000" }, "too low"), 0, /beyond/);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: "-1000000000" }, "too low"), false);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), -4_000_000_000);
        assert.equal((await ledgerOfUser(t, u.id)).length, 3);
      });

      it("named personal accounts: a write creates the account, a read names it, and the total sums them", async () => {
        const u = await fresh();
        await rpc.call("api.adjustUserAccountBalance", u.name, { double: 5 }, "default");
        await rpc.call("api.adjustUserAccountBalance", u.name, { double: 2.5 }, "named", "Printing Fund");
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name, "Printing Fund"), 2.5);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name, " Printing Fund "), 2.5);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 7.5);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name, ""), 7.5);
        await assertFault(rpc.call("api.getUserAccountBalance", u.name, "No Such"), 0, /has no personal account named No Such/);
        assert.deepEqual(
          (await ledgerOfUser(t, u.id)).map((r) => r.sub_name),
          ["", "Printing Fund"],
        );
      });

      it("setUserAccountBalance sets an absolute value and logs the difference", async () => {
        const u = await fresh();
        await rpc.call("api.adjustUserAccountBalance", u.name, { double: 4 }, "start");
        assert.equal(await rpc.call("api.setUserAccountBalance", u.name, { double: "10.5" }, "set"), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 10.5);
        assert.equal(await rpc.call("api.setUserAccountBalance", u.name, { double: "-1" }, "set again"), true);
        assert.equal(await rpc.call("api.setUserAccountBalance", u.name, 3, "int amount", "Named"), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 2);
        const rows = await ledgerOfUser(t, u.id);
        assert.deepEqual(
          rows.map((r) => [Number(r.amount), r.kind, r.comment]),
          [
            [4_000_000, "adjustment", "start"],
            [6_500_000, "set-balance", "set"],
            [-11_500_000, "set-balance", "set again"],
            [3_000_000, "set-balance", "int amount"],
          ],
        );
      });

      it("setUserAccountBalance to the current balance writes no ledger row", async () => {
        const u = await fresh();
        await rpc.call("api.setUserAccountBalance", u.name, { double: 0 }, "no-op");
        assert.equal((await ledgerOfUser(t, u.id)).length, 0);
      });

      it("adjustUserAccountBalanceIfAvailable: an unrestricted user always has credit", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -50 }, "charge"), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), -50);
      });

      it("adjustUserAccountBalanceIfAvailable deducts up to the balance of a restricted user and refuses beyond, changing nothing", async () => {
        const u = await restricted(5);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -5.01 }, "too much"), false);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 5);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -5 }, "all of it"), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 0);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -0.01 }, "one cent"), false);
        const rows = await ledgerOfUser(t, u.id);
        assert.deepEqual(
          rows.map((r) => r.comment),
          ["opening balance", "all of it"],
        );
      });

      it("adjustUserAccountBalanceIfAvailable always applies a positive adjustment", async () => {
        const u = await restricted(0);
        await rpc.call("api.adjustUserAccountBalance", u.name, { double: -20 }, "debt");
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: 1 }, "refund"), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), -19);
      });

      it("overdraft mode default uses accounts.restricted.default-overdraft; individual uses the user's overdraft-amount", async () => {
        const u = await restricted(0);
        try {
          assert.equal(await rpc.call("api.setConfigValue", "accounts.restricted.default-overdraft", "2.50"), true);
          assert.equal(await rpc.call("api.getUserOverdraftMode", u.name), "default");
          assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -2.51 }, ""), false);
          assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -2.5 }, ""), true);
          assert.equal(await rpc.call("api.getUserAccountBalance", u.name), -2.5);

          await rpc.call("api.setUserProperty", u.name, "overdraft-amount", "10");
          assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -1 }, ""), false, "still mode default");
          assert.equal(await rpc.call("api.setUserOverdraftMode", u.name, "INDIVIDUAL"), true);
          assert.equal(await rpc.call("api.getUserOverdraftMode", u.name), "individual");
          assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -7.5 }, ""), true);
          assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -0.01 }, ""), false);
          assert.equal(await rpc.call("api.getUserAccountBalance", u.name), -10);

          await rpc.call("api.setUserProperty", u.name, "overdraft-amount", "0");
          assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: 9.99 }, "top up"), true);
          assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -0.01 }, ""), false, "individual 0 ignores the default overdraft");
          assert.equal(await rpc.call("api.setUserOverdraftMode", u.name, " Default "), true);
          assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -2.49 }, ""), true);
          assert.equal(await rpc.call("api.getUserAccountBalance", u.name), -2.5);
        } finally {
          await t.server.app.config.set("accounts.restricted.default-overdraft", "0.0");
        }
      });

      it("setUserOverdraftMode refuses other modes", async () => {
        const u = await fresh();
        await assertFault(rpc.call("api.setUserOverdraftMode", u.name, "unlimited"), 0, /Overdraft mode "unlimited" is not valid; use default or individual/);
        await assertFault(rpc.call("api.setUserOverdraftMode", u.name, ""), 0, /not valid/);
        assert.equal(await rpc.call("api.getUserOverdraftMode", u.name), "default");
      });

      it("adjustUserAccountBalanceIfAvailableLeaveRemaining keeps at least leaveRemaining of credit", async () => {
        const u = await restricted(10);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailableLeaveRemaining", u.name, { double: -5.01 }, { double: 5 }, "too much"), false);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailableLeaveRemaining", u.name, { double: -5 }, { double: 5 }, "ok"), true);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailableLeaveRemaining", u.name, { double: -0.01 }, 5, "int leave"), false);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 5);
        await rpc.call("api.setUserProperty", u.name, "overdraft-amount", "3");
        await rpc.call("api.setUserOverdraftMode", u.name, "individual");
        // Available credit is 5 + 3 = 8: leaving 1 allows a deduction of 7.
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailableLeaveRemaining", u.name, { double: -7.01 }, { double: 1 }, ""), false);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailableLeaveRemaining", u.name, { double: -7 }, { double: 1 }, ""), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), -2);
      });

      it("adjustUserAccountBalanceIfAvailableLeaveRemaining on an unrestricted user always applies", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailableLeaveRemaining", u.name, { double: -5 }, { double: 100 }, ""), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), -5);
      });

      it("a named personal account follows the user's restriction", async () => {
        const u = await restricted(0);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -1 }, "", "Extra"), false);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: 2 }, "", "Extra"), true);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -2 }, "", "Extra"), true);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -0.01 }, "", "Extra"), false);
        await rpc.call("api.setUserProperty", u.name, "restricted", "false");
        assert.equal(await rpc.call("api.adjustUserAccountBalanceIfAvailable", u.name, { double: -4 }, "", "Extra"), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name, "Extra"), -4);
      });

      it("adjustUserAccountBalanceByCardNumber adjusts the holder of a primary or secondary card; false for an unknown card", async () => {
        const u = await fresh({ primary_card: `P-${backend}-${transport}`, secondary_card: `S-${backend}-${transport}` });
        assert.equal(await rpc.call("api.adjustUserAccountBalanceByCardNumber", `P-${backend}-${transport}`, { double: 1.25 }, "by primary"), true);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceByCardNumber", ` S-${backend}-${transport} `, { double: 0.75 }, "by secondary"), true);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceByCardNumber", "no-such-card", { double: 100 }, "unknown"), false);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceByCardNumber", "", { double: 100 }, "blank"), false);
        assert.equal(await rpc.call("api.adjustUserAccountBalanceByCardNumber", `P-${backend}-${transport}`, { double: 1 }, "named", "Card Account"), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 3);
        assert.deepEqual(
          (await ledgerOfUser(t, u.id)).map((r) => r.comment),
          ["by primary", "by secondary", "named"],
        );
      });
    });
  }
}
