import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { accountRow, createSharedAccount } from "../support/shared-accounts.js";

const CLIENTS = 20;
const JOBS_PER_CLIENT = 50;

for (const backend of BACKENDS) {
  describe(`processJob under concurrency (${backend})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
      await t.rpc.call("api.registerPrinter", "ps1", "Busy");
      await t.rpc.call("api.setPrinterCostSimple", "ps1", "Busy", { double: 0.1 });
    });
    after(async () => {
      await t?.close();
    });

    const ledgerSum = async (accountId: number) => {
      const rows = await t.server.app.accounts.listTransactions(t.server.app.db.kysely, { accountId, limit: 100_000 });
      return rows.reduce((sum, r) => sum + r.amount, 0);
    };

    it(`${CLIENTS} clients × ${JOBS_PER_CLIENT} jobs never overdraw one restricted shared account`, async () => {
      // 10.00 credit + 0.50 overdraft at 0.13 a job: exactly 80 jobs fit.
      const id = await createSharedAccount(t.server.app, "Pool", { balance: 10_000_000, restricted: true, overdraftMode: "individual", overdraftAmount: 500_000 });
      const results = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          let charged = 0;
          for (let j = 0; j < JOBS_PER_CLIENT; j++) {
            if (await t.rpc.call<boolean>("api.processJob", `user=client${c},server=ps1,printer=Busy,cost=0.13,shared-account=Pool`)) charged++;
          }
          return charged;
        }),
      );
      const charged = results.reduce((a, b) => a + b, 0);
      assert.equal(charged, 80);
      const acc = await accountRow(t.server.app, id);
      assert.equal(acc.balance, 10_000_000 - 80 * 130_000);
      assert.ok(acc.balance >= -500_000);
      assert.equal(await ledgerSum(id), acc.balance);
      assert.deepEqual([acc.job_count, acc.page_count], [80, 80]);
      const jobs = await t.server.app.jobs.listJobs({ accountId: id, limit: 10_000 });
      assert.equal(jobs.length, CLIENTS * JOBS_PER_CLIENT);
      assert.equal(jobs.filter((j) => j.status === "CHARGED").length, 80);
    });

    it(`${CLIENTS} clients × 10 jobs of one restricted user never take the balance below zero`, async () => {
      await t.rpc.call("api.addNewInternalUser", "solo", "pw", "Solo", "", "", "");
      await t.rpc.call("api.adjustUserAccountBalance", "solo", { double: 2.5 }, "opening");
      await t.rpc.call("api.setUserProperty", "solo", "restricted", "true");
      const results = await Promise.all(
        Array.from({ length: CLIENTS }, async (_, c) => {
          let pages = 0;
          for (let j = 0; j < 10; j++) {
            const n = 1 + ((c + j) % 3);
            if (await t.rpc.call<boolean>("api.processJob", `user=solo,server=ps1,printer=Busy,total-pages=${n}`)) pages += n;
          }
          return pages;
        }),
      );
      const pages = results.reduce((a, b) => a + b, 0);
      const balance = await t.rpc.call<number>("api.getUserAccountBalance", "solo");
      assert.ok(balance >= 0, `balance ${balance}`);
      assert.ok(balance < 0.1 + 1e-9, "credit left over would have paid for a one-page job");
      assert.equal(Math.round(balance * 1_000_000), 2_500_000 - pages * 100_000);
      assert.equal(await t.rpc.call("api.getUserProperty", "solo", "print-stats.page-count"), String(pages));
      const user = await t.server.app.db.kysely.selectFrom("users").select("id").where("username", "=", "solo").executeTakeFirstOrThrow();
      const account = await t.server.app.db.kysely.selectFrom("accounts").select("id").where("user_id", "=", user.id).executeTakeFirstOrThrow();
      assert.equal(await ledgerSum(account.id), Math.round(balance * 1_000_000));
    });

    it("concurrent first jobs of a new user on a new printer create each once", async () => {
      const results = await Promise.all(Array.from({ length: 16 }, () => t.rpc.call<boolean>("api.processJob", "user=fresh,server=ps7,printer=Brand New,total-pages=2")));
      assert.ok(results.every((r) => r === true));
      const users = await t.server.app.db.kysely.selectFrom("users").select("id").where("username", "=", "fresh").execute();
      assert.equal(users.length, 1);
      const printers = (await t.rpc.call<string[]>("api.listPrinters", 0, 1000)).filter((n) => n === "ps7\\Brand New");
      assert.equal(printers.length, 1);
      assert.deepEqual(await t.rpc.call("api.getPrinterProperties", "ps7", "Brand New", ["print-stats.job-count", "print-stats.page-count"]), ["16", "32"]);
      assert.equal(await t.rpc.call("api.getUserProperty", "fresh", "print-stats.job-count"), "16");
    });
  });
}
