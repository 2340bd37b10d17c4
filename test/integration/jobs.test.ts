import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ManualClock } from "../../src/kernel/clock.js";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { accountRow, createSharedAccount } from "../support/shared-accounts.js";

for (const backend of BACKENDS) {
  describe(`processJob and the job log (${backend})`, () => {
    let t: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 2, 2, 8, 0, 0));
    const job = (details: string) => t.rpc.call<boolean>("api.processJob", details);
    const balance = (user: string) => t.rpc.call<number>("api.getUserAccountBalance", user);
    const userProp = (user: string, name: string) => t.rpc.call<string>("api.getUserProperty", user, name);
    const lastJob = async (username: string) => {
      const user = await t.server.app.db.kysely.selectFrom("users").select("id").where("username", "=", username).executeTakeFirstOrThrow();
      const jobs = await t.server.app.jobs.listJobs({ userId: user.id });
      return jobs[jobs.length - 1];
    };
    const newUser = async (name: string, opening = 0) => {
      await t.rpc.call("api.addNewInternalUser", name, "pw", name, "", "", "");
      if (opening) await t.rpc.call("api.adjustUserAccountBalance", name, { double: opening }, "opening");
    };

    before(async () => {
      t = await startTestServer(backend, { clock });
      await t.rpc.call("api.registerPrinter", "ps1", "Mono");
      await t.rpc.call("api.setPrinterCostSimple", "ps1", "Mono", { double: 0.1 });
    });
    after(async () => {
      await t?.close();
    });

    it("charges the personal account at the printer's page cost, with a ledger row linked to the job, and moves the counters", async () => {
      await newUser("ann", 10);
      assert.equal(await job("user=ann,server=ps1,printer=Mono,total-pages=12,document-name=Report.pdf,time=20260301T101500"), true);
      assert.equal(await balance("ann"), 8.8);
      const row = await lastJob("ann");
      assert.equal(row.status, "CHARGED");
      assert.equal(row.cost, 1_200_000);
      assert.equal(row.charged, 1_200_000);
      assert.equal(row.document_name, "Report.pdf");
      assert.equal(row.printed_at, new Date(2026, 2, 1, 10, 15, 0).getTime());
      const ledger = await t.server.app.accounts.listTransactions(t.server.app.db.kysely, { jobId: row.id });
      assert.equal(ledger.length, 1);
      assert.equal(ledger[0].amount, -1_200_000);
      assert.equal(ledger[0].account_id, row.account_id);
      assert.equal(ledger[0].kind, "print-job");
      assert.deepEqual([await userProp("ann", "print-stats.job-count"), await userProp("ann", "print-stats.page-count")], ["1", "12"]);
      assert.deepEqual(await t.rpc.call("api.getPrinterProperties", "ps1", "Mono", ["print-stats.job-count", "print-stats.page-count"]), ["1", "12"]);
    });

    it("logs every field of the job string", async () => {
      await job(
        'user=ann,server=ps1,printer=Mono,total-pages=4,total-color-pages=1,copies=2,duplex=TRUE,job-type=COPY,paper-size-name=A3,paper-width-mm=297,paper-height-mm=420,document-size-kb=77,invoice=TRUE,"comment=a, b",client-machine=pc1,client-ip=::1',
      );
      const row = await lastJob("ann");
      assert.deepEqual(
        [row.total_pages, row.color_pages, row.copies, row.duplex, row.grayscale, row.job_type, row.paper_size_name, row.paper_width_mm, row.paper_height_mm, row.document_size_kb, row.invoice, row.comment, row.client_machine, row.client_ip],
        [4, 1, 2, 1, 0, "COPY", "A3", "297", "420", 77, 1, "a, b", "pc1", "::1"],
      );
      const ledger = await t.server.app.accounts.listTransactions(t.server.app.db.kysely, { jobId: row.id });
      assert.equal(ledger[0].comment, "a, b");
    });

    it("an explicit cost replaces the printer's model and the user's adjustment; the adjustment applies to computed costs", async () => {
      await newUser("ben", 10);
      await t.rpc.call("api.setUserProperty", "ben", "printer-cost-adjustment-rate-percent", "50");
      await job("user=ben,server=ps1,printer=Mono,total-pages=3");
      assert.equal(await balance("ben"), 9.85);
      await job("user=ben,server=ps1,printer=Mono,total-pages=3,cost=1.234567");
      assert.equal(await balance("ben"), 8.615433);
      assert.equal((await lastJob("ben")).cost_given, 1);
    });

    it("charges the SIZE_TABLE model by size, colour and duplex, exactly", async () => {
      await t.rpc.call("api.registerPrinter", "ps1", "Colour");
      await t.rpc.call("api.setPrinterProperties", "ps1", "Colour", [
        ["cost-model", "SIZE_TABLE"],
        ["advanced-config.cost.pst.default.color.simplex", "0.50"],
        ["advanced-config.cost.pst.default.color.duplex", "0.40"],
        ["advanced-config.cost.pst.default.grayscale.simplex", "0.10"],
        ["advanced-config.cost.pst.default.grayscale.duplex", "0.07"],
        ["advanced-config.cost.pst.A3.enabled", "Y"],
        ["advanced-config.cost.pst.A3.color.simplex", "1.00"],
        ["advanced-config.cost.pst.A3.grayscale.simplex", "0.20"],
      ]);
      await newUser("cat", 20);
      await job("user=cat,server=ps1,printer=Colour,total-pages=10,total-color-pages=3,duplex=TRUE");
      assert.equal((await lastJob("cat")).cost, 3 * 400_000 + 7 * 70_000);
      await job("user=cat,server=ps1,printer=Colour,total-pages=2,total-color-pages=1,paper-size-name=a3");
      assert.equal((await lastJob("cat")).cost, 1_200_000);
      // Given only by its dimensions, an A3 job is charged from the A3 row too.
      await job("user=cat,server=ps1,printer=Colour,total-pages=1,paper-width-mm=420,paper-height-mm=297");
      assert.equal((await lastJob("cat")).cost, 200_000);
      assert.equal(await balance("cat"), 16.91);
    });

    it("creates an unknown user on the fly, as on a first print", async () => {
      assert.equal(await t.rpc.call("api.isUserExists", "newbie"), false);
      assert.equal(await job("user=newbie,server=ps1,printer=Mono"), true);
      assert.equal(await t.rpc.call("api.isUserExists", "newbie"), true);
      assert.equal(await balance("newbie"), -0.1);
    });

    it("charges a shared account named in the job and moves its counters", async () => {
      const id = await createSharedAccount(t.server.app, "Science\\Chemistry", { balance: 5_000_000 });
      await newUser("dan", 1);
      assert.equal(await job("user=dan,server=ps1,printer=Mono,total-pages=5,shared-account=Science\\Chemistry"), true);
      assert.equal(await balance("dan"), 1);
      const acc = await accountRow(t.server.app, id);
      assert.deepEqual([acc.balance, acc.job_count, acc.page_count], [4_500_000, 1, 5]);
      const row = await lastJob("dan");
      assert.deepEqual([row.account_id, row.shared_account_id, row.shared_account_name], [id, id, "Science\\Chemistry"]);
      assert.deepEqual(
        (await t.server.app.jobs.listJobs({ accountId: id })).map((j) => j.id),
        [row.id],
      );
      assert.deepEqual([await userProp("dan", "print-stats.job-count"), await userProp("dan", "print-stats.page-count")], ["1", "5"]);
    });

    it("faults on an unknown shared account and logs nothing", async () => {
      const fault = await t.rpc.fault("api.processJob", "user=dan,server=ps1,printer=Mono,shared-account=Nowhere");
      assert.match(fault.faultString, /The shared account Nowhere does not exist\./);
      assert.equal((await lastJob("dan")).shared_account_name, "Science\\Chemistry");
    });

    it("follows the user's automatic shared account, or bills the personal account when chargeToPersonal is set", async () => {
      const id = await createSharedAccount(t.server.app, "Projects", { balance: 2_000_000 });
      await newUser("eve", 3);
      await t.rpc.call("api.setUserAccountSelectionAutoSelectSharedAccount", "eve", "Projects", false);
      await job("user=eve,server=ps1,printer=Mono,total-pages=2");
      assert.equal((await accountRow(t.server.app, id)).balance, 1_800_000);
      assert.equal(await balance("eve"), 3);
      await t.rpc.call("api.setUserAccountSelectionAutoSelectSharedAccount", "eve", "Projects", true);
      await job("user=eve,server=ps1,printer=Mono,total-pages=4");
      assert.equal((await accountRow(t.server.app, id)).balance, 1_800_000);
      assert.equal(await balance("eve"), 2.6);
      const row = await lastJob("eve");
      assert.equal(row.shared_account_id, id);
      assert.notEqual(row.account_id, id);
      assert.equal((await accountRow(t.server.app, id)).job_count, 2);
    });

    it("a restricted user at zero balance: the job is logged as denied, nothing is charged, processJob returns false", async () => {
      await newUser("fay");
      await t.rpc.call("api.setUserProperty", "fay", "restricted", "true");
      assert.equal(await job("user=fay,server=ps1,printer=Mono,total-pages=1"), false);
      assert.equal(await balance("fay"), 0);
      const row = await lastJob("fay");
      assert.deepEqual([row.status, row.denied_reason, row.cost, row.charged], ["DENIED", "INSUFFICIENT_CREDIT", 100_000, 0]);
      assert.equal((await t.server.app.accounts.listTransactions(t.server.app.db.kysely, { jobId: row.id })).length, 0);
      assert.equal(await userProp("fay", "print-stats.job-count"), "0");
      // A free job is always allowed.
      assert.equal(await job("user=fay,server=ps1,printer=Mono,total-pages=1,cost=0"), true);
      assert.equal(await userProp("fay", "print-stats.job-count"), "1");
    });

    it("the default overdraft lets a restricted user go down to minus the configured amount", async () => {
      await t.rpc.call("api.setConfigValue", "accounts.restricted.default-overdraft", "1.00");
      await newUser("gus");
      await t.rpc.call("api.setUserProperty", "gus", "restricted", "true");
      assert.equal(await job("user=gus,server=ps1,printer=Mono,total-pages=6"), true);
      assert.equal(await balance("gus"), -0.6);
      assert.equal(await job("user=gus,server=ps1,printer=Mono,total-pages=5"), false);
      assert.equal(await job("user=gus,server=ps1,printer=Mono,total-pages=4"), true);
      assert.equal(await balance("gus"), -1);
      await t.rpc.call("api.setConfigValue", "accounts.restricted.default-overdraft", "0.0");
    });

    it("the individual overdraft applies in mode individual", async () => {
      await newUser("hal");
      await t.rpc.call("api.setUserProperties", "hal", [
        ["restricted", "true"],
        ["overdraft-amount", "0.35"],
      ]);
      assert.equal(await job("user=hal,server=ps1,printer=Mono,total-pages=3"), false);
      await t.rpc.call("api.setUserOverdraftMode", "hal", "INDIVIDUAL");
      assert.equal(await job("user=hal,server=ps1,printer=Mono,total-pages=3"), true);
      assert.equal(await job("user=hal,server=ps1,printer=Mono,total-pages=1"), false);
      assert.equal(await balance("hal"), -0.3);
    });

    it("a restricted shared account is never charged below its overdraft", async () => {
      const id = await createSharedAccount(t.server.app, "Tight", { balance: 250_000, restricted: true, overdraftMode: "individual", overdraftAmount: 100_000 });
      await newUser("ivy");
      assert.equal(await job("user=ivy,server=ps1,printer=Mono,total-pages=3,shared-account=Tight"), true);
      assert.equal(await job("user=ivy,server=ps1,printer=Mono,total-pages=2,shared-account=Tight"), false);
      assert.equal(await job("user=ivy,server=ps1,printer=Mono,total-pages=1,shared-account=Tight"), false);
      // Exactly down to the overdraft is allowed.
      assert.equal(await job("user=ivy,server=ps1,printer=Mono,total-pages=1,cost=0.05,shared-account=Tight"), true);
      const acc = await accountRow(t.server.app, id);
      assert.deepEqual([acc.balance, acc.job_count, acc.page_count], [-100_000, 2, 4]);
    });

    it("disabled printers, users with printing disabled and disabled shared accounts deny the job, which is still logged", async () => {
      await newUser("jon", 5);
      await t.rpc.call("api.disablePrinter", "ps1", "Mono", 10);
      assert.equal(await job("user=jon,server=ps1,printer=Mono"), false);
      assert.equal((await lastJob("jon")).denied_reason, "PRINTER_DISABLED");
      clock.advance(11 * 60_000);
      assert.equal(await job("user=jon,server=ps1,printer=Mono"), true);

      await t.rpc.call("api.disablePrintingForUser", "jon", -1);
      assert.equal(await job("user=jon,server=ps1,printer=Mono"), false);
      assert.equal((await lastJob("jon")).denied_reason, "USER_PRINTING_DISABLED");
      await t.rpc.call("api.setUserProperty", "jon", "disabled-print", "false");

      await createSharedAccount(t.server.app, "Frozen", { balance: 5_000_000, disabled: true });
      assert.equal(await job("user=jon,server=ps1,printer=Mono,shared-account=Frozen"), false);
      assert.equal((await lastJob("jon")).denied_reason, "SHARED_ACCOUNT_DISABLED");
      assert.equal(await balance("jon"), 4.9);
      assert.equal(await userProp("jon", "print-stats.job-count"), "1");
    });

    it("charges shared accounts managed through the shared-account API, honouring restriction and disabling", async () => {
      await t.rpc.call("api.addNewSharedAccount", "Library");
      await t.rpc.call("api.addNewSharedAccount", "Library\\Loans");
      await t.rpc.call("api.adjustSharedAccountAccountBalance", "Library\\Loans", { double: 0.3 }, "budget");
      await t.rpc.call("api.setSharedAccountProperty", "Library\\Loans", "restricted", "true");
      await newUser("kim", 1);
      assert.equal(await job("user=kim,server=ps1,printer=Mono,total-pages=2,shared-account=Library\\Loans"), true);
      assert.equal(await job("user=kim,server=ps1,printer=Mono,total-pages=2,shared-account=Library\\Loans"), false);
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "Library\\Loans"), 0.1);
      await t.rpc.call("api.disableSharedAccount", "Library\\Loans", 5);
      assert.equal(await job("user=kim,server=ps1,printer=Mono,total-pages=1,shared-account=Library\\Loans"), false);
      assert.equal((await lastJob("kim")).denied_reason, "SHARED_ACCOUNT_DISABLED");
      clock.advance(6 * 60_000);
      assert.equal(await job("user=kim,server=ps1,printer=Mono,total-pages=1,shared-account=Library\\Loans"), true);
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "Library\\Loans"), 0);
      assert.equal(await balance("kim"), 1);
    });

    it("accepts and ignores jobs without pages", async () => {
      assert.equal(await job("user=zed,server=ps1,printer=Mono,total-pages=0"), true);
      assert.equal(await t.rpc.call("api.isUserExists", "zed"), false);
    });

    it("faults naming missing and unknown fields", async () => {
      assert.match((await t.rpc.fault("api.processJob", "user=ann,printer=Mono")).faultString, /missing the required field: server\./);
      assert.match((await t.rpc.fault("api.processJob", "user=ann,server=ps1,printer=Mono,colour=TRUE")).faultString, /unknown field: colour\./);
    });

    it("the job log and transaction log are queryable by user, printer and time range", async () => {
      const ann = await t.server.app.db.kysely.selectFrom("users").select("id").where("username", "=", "ann").executeTakeFirstOrThrow();
      const all = await t.server.app.jobs.listJobs({ userId: ann.id });
      assert.equal(all.length, 2);
      const march1 = new Date(2026, 2, 1).getTime();
      const march1Noon = new Date(2026, 2, 1, 12).getTime();
      assert.equal((await t.server.app.jobs.listJobs({ userId: ann.id, from: march1, to: march1Noon })).length, 1);
      const mono = await t.server.app.printers.findPrinter("ps1", "Mono");
      assert.ok(mono && (await t.server.app.jobs.listJobs({ printerId: mono.id })).length > 10);
      const ledger = await t.server.app.accounts.listTransactions(t.server.app.db.kysely, { userId: ann.id });
      assert.deepEqual(
        ledger.map((l) => l.kind),
        ["adjustment", "print-job", "print-job"],
      );
    });
  });
}
