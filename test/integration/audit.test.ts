import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { sql } from "kysely";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { assertAuditClean } from "../support/audit.js";

const QUIRE = fileURLToPath(new URL("../../../bin/quire.js", import.meta.url));

for (const backend of BACKENDS) {
  describe(`quire audit (${backend})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
      for (const name of ["ann", "bob"]) await t.rpc.call("api.addNewInternalUser", name, "pw", name, "", "", "");
      await t.rpc.call("api.adjustUserAccountBalance", "ann", { double: 5.5 }, "a");
      await t.rpc.call("api.adjustUserAccountBalance", "ann", { double: -1.25 }, "b");
      await t.rpc.call("api.setUserAccountBalance", "bob", { double: 7 }, "c");
      await t.rpc.call("api.registerPrinter", "ps1", "Lab");
      await t.rpc.call("api.setPrinterCostSimple", "ps1", "Lab", { double: 0.1 });
      assert.equal(await t.rpc.call("api.processJob", "user=ann,server=ps1,printer=Lab,total-pages=3"), true);
      assert.equal(await t.rpc.call("api.processJob", "user=ann,server=ps1,printer=Lab,total-pages=2"), true);
    });
    after(async () => {
      await t?.close();
    });

    function runCli(): { status: number | null; stdout: string } {
      const args = [QUIRE, "audit", "--data-dir", t.dataDir];
      if (backend === "postgres") args.push("--postgres-url", (t.server.app.db as unknown as { postgresUrl: string }).postgresUrl);
      const r = spawnSync(process.execPath, args, { encoding: "utf8", timeout: 30_000 });
      return { status: r.status, stdout: r.stdout };
    }

    it("finds no differences in a database changed only through the API", async () => {
      await assertAuditClean(t.server.app);
      const { status, stdout } = runCli();
      assert.equal(status, 0, stdout);
      assert.match(stdout, /ok {3}balances-match-ledger/);
      assert.match(stdout, /No differences found\./);
    });

    it("reports a balance changed behind the ledger's back, a broken chain and an orphan row, and exits non-zero", async () => {
      const k = t.server.app.db.kysely;
      await k.updateTable("accounts").set((eb) => ({ balance: eb("balance", "+", 1_000_000) })).where("user_id", "=", 2).execute();
      await k.updateTable("ledger").set({ balance_after: 999 }).where("comment", "=", "b").execute();
      await k.updateTable("printers").set({ job_count: 5 }).execute();
      await k.updateTable("jobs").set({ charged: 1 }).where("total_pages", "=", 2).execute();
      // An orphan can only appear with foreign keys bypassed (a bad restore, a manual fix): bypass them.
      const orphan = sql`insert into ledger (account_id, amount, balance_after, kind, comment, created_by, created_at) values (424242, 1, 1, 'adjustment', '', '', 0)`;
      if (backend === "postgres") {
        await k.transaction().execute(async (trx) => {
          await sql`set local session_replication_role = replica`.execute(trx);
          await orphan.execute(trx);
        });
      } else {
        await sql`pragma foreign_keys = off`.execute(k);
        await orphan.execute(k);
        await sql`pragma foreign_keys = on`.execute(k);
      }
      const report = await t.server.app.audit.run();
      assert.equal(report.ok, false);
      const byName = new Map(report.results.map((r) => [r.name, r.differences]));
      assert.match(byName.get("balances-match-ledger")!.join("\n"), /user id 2 .*balance 8\.0 but ledger sum 7\.0/);
      assert.match(byName.get("ledger-chains")!.join("\n"), /balance_after 0\.000999, running sum is 4\.25/);
      assert.match(byName.get("no-orphan-ledger-rows")!.join("\n"), /names account id 424242/);
      assert.match(byName.get("counters-match-job-log")!.join("\n"), /printer ps1\\Lab \(id \d+\) counts 5 jobs \/ 5 pages, the job log has 2 \/ 5/);
      assert.match(byName.get("job-charges-match-ledger")!.join("\n"), /job \d+ \(CHARGED\) says charged 0\.000001 but its ledger rows took 0\.2/);
      const { status, stdout } = runCli();
      assert.equal(status, 3);
      assert.match(stdout, /FAIL balances-match-ledger/);
      assert.match(stdout, /Differences found\./);
    });
  });
}
