// Concurrency on both backends: many clients adjusting one balance at once lose no update and write
// exactly one ledger row each; concurrent adjustUserAccountBalanceIfAvailable never spends credit a
// restricted user does not have; racing creations of one name or card number end in one winner and
// clear duplicate faults.
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { assertLedgerInvariant, createUser, ledgerOfUser } from "../support/fixtures.js";
import { Fault, methodCallXml, parseResponse, type Arg } from "../support/rpc-client.js";
import { startTestServer, TEST_TOKEN, type TestServer } from "../support/server.js";

const CLIENTS = 20;

/** One client: its own keep-alive connections, several requests in flight at once. */
class Client {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
  constructor(private readonly url: string) {}

  call(method: string, ...args: Arg[]): Promise<unknown> {
    const u = new URL(this.url);
    const body = methodCallXml(method, [TEST_TOKEN, ...args]);
    return new Promise((resolve, reject) => {
      const req = http.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: "POST", agent: this.agent, headers: { "Content-Type": "text/xml" } }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => parseResponse(Buffer.concat(chunks).toString("utf8")).then(resolve, reject));
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

for (const backend of BACKENDS) {
  describe(`concurrency (${backend})`, () => {
    let t: TestServer;
    let clients: Client[];
    before(async () => {
      t = await startTestServer(backend);
      clients = Array.from({ length: CLIENTS }, () => new Client(t.url));
    });
    after(async () => {
      for (const c of clients ?? []) c.close();
      await t?.close();
    });

    it("20 clients × 50 concurrent adjustUserAccountBalance(+0.01) end at exactly +10.00 with 1000 ledger rows", async () => {
      const id = await createUser(t, "busy");
      const results = await Promise.all(clients.flatMap((c, i) => Array.from({ length: 50 }, (_, j) => c.call("api.adjustUserAccountBalance", "busy", { double: "0.01" }, `client ${i} call ${j}`))));
      assert.equal(results.length, 1000);
      assert.ok(results.every((r) => r === true));
      assert.equal(await clients[0].call("api.getUserAccountBalance", "busy"), 10);
      const rows = await ledgerOfUser(t, id);
      assert.equal(rows.length, 1000);
      assert.equal(
        rows.reduce((sum, r) => sum + Number(r.amount), 0),
        10_000_000,
      );
      // Each row's balance_after is a distinct step: no two adjustments saw the same starting balance.
      const afters = rows.map((r) => Number(r.balance_after)).sort((a, b) => a - b);
      assert.deepEqual(
        afters,
        Array.from({ length: 1000 }, (_, i) => (i + 1) * 10_000),
      );
      await assertLedgerInvariant(t);
    });

    it("concurrent adjustUserAccountBalanceIfAvailable on a restricted user succeeds exactly as often as the credit allows", async () => {
      const id = await createUser(t, "thrifty");
      const c0 = clients[0];
      await c0.call("api.setUserProperties", "thrifty", [
        ["restricted", "true"],
        ["overdraft-amount", "1.00"],
      ]);
      await c0.call("api.setUserOverdraftMode", "thrifty", "individual");
      await c0.call("api.setUserAccountBalance", "thrifty", { double: "5.00" }, "opening balance");
      // Credit is 5.00 + 1.00 overdraft = 6.00: exactly 20 deductions of 0.30 fit, out of 200 attempts.
      const results = await Promise.all(clients.flatMap((c) => Array.from({ length: 10 }, () => c.call("api.adjustUserAccountBalanceIfAvailable", "thrifty", { double: "-0.30" }, "job"))));
      assert.equal(results.filter((r) => r === true).length, 20);
      assert.equal(results.filter((r) => r === false).length, 180);
      assert.equal(await c0.call("api.getUserAccountBalance", "thrifty"), -1);
      const rows = await ledgerOfUser(t, id);
      assert.equal(rows.length, 21);
      assert.ok(rows.every((r) => Number(r.balance_after) >= -1_000_000), "the balance never went below the overdraft limit");
      await assertLedgerInvariant(t);
    });

    it("concurrent addNewInternalUser with one name creates it once; the others get the duplicate fault", async () => {
      const results = await Promise.allSettled(clients.slice(0, 6).map((c, i) => c.call("api.addNewInternalUser", "racer", "pw", "", "", `racer-card-${i}`, "")));
      assert.equal(results.filter((r) => r.status === "fulfilled" && r.value === true).length, 1);
      for (const r of results.filter((x) => x.status === "rejected")) {
        assert.ok(r.reason instanceof Fault);
        assert.equal(r.reason.faultString, "java.lang.IllegalStateException: A user named racer already exists.");
      }
    });

    it("concurrent writes of one card number to different users give it to one user; the others get the duplicate fault", async () => {
      const names = ["card-a", "card-b", "card-c", "card-d"];
      for (const name of names) await createUser(t, name);
      const results = await Promise.allSettled(names.map((name, i) => clients[i].call("api.setUserProperty", name, "primary-card-number", "RACE-1")));
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results.filter((x) => x.status === "rejected")) assert.match((r.reason as Fault).faultString, /^java\.lang\.IllegalStateException: Tried to set primary-card-number to RACE-1, but number is not unique\.$/);
      const holders = await t.server.app.db.kysely.selectFrom("users").select("username").where("primary_card", "=", "RACE-1").execute();
      assert.equal(holders.length, 1);
    });

    it("concurrent IfAvailable and LeaveRemaining deductions mixed with top-ups never cross the limit", async () => {
      const id = await createUser(t, "mixed");
      const c0 = clients[0];
      await c0.call("api.setUserProperty", "mixed", "restricted", "true");
      await c0.call("api.setUserAccountBalance", "mixed", { double: "2.00" }, "opening balance");
      const calls = clients.flatMap((c, i) =>
        Array.from({ length: 10 }, (_, j) =>
          (i + j) % 5 === 0
            ? c.call("api.adjustUserAccountBalance", "mixed", { double: "0.10" }, "top up")
            : j % 2 === 0
              ? c.call("api.adjustUserAccountBalanceIfAvailable", "mixed", { double: "-0.25" }, "job")
              : c.call("api.adjustUserAccountBalanceIfAvailableLeaveRemaining", "mixed", { double: "-0.25" }, { double: "0.50" }, "job"),
        ),
      );
      const results = await Promise.all(calls);
      assert.equal(results.length, 200);
      const rows = await ledgerOfUser(t, id);
      const topUps = rows.filter((r) => r.comment === "top up").length;
      const jobs = rows.filter((r) => r.comment === "job").length;
      assert.equal(topUps, 40);
      assert.equal(results.filter((r) => r === true).length, topUps + jobs);
      const balance = 2_000_000 + topUps * 100_000 - jobs * 250_000;
      assert.equal(await c0.call("api.getUserAccountBalance", "mixed"), balance / 1_000_000);
      assert.ok(rows.every((r) => Number(r.balance_after) >= 0), "a restricted user without overdraft never went below zero");
      assert.ok(balance < 250_000 + 500_000, "the credit was used up as far as the rules allow");
      await assertLedgerInvariant(t);
    });
  });
}
