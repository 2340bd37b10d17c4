import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ManualClock } from "../../src/kernel/clock.js";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";

const TEMPLATE = "!!template printer!!";

for (const backend of BACKENDS) {
  describe(`printers (${backend})`, () => {
    let t: TestServer;
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
    const job = (details: string) => t.rpc.call("api.processJob", details);
    const prop = (server: string, printer: string, name: string) => t.rpc.call<string>("api.getPrinterProperty", server, printer, name);

    before(async () => {
      t = await startTestServer(backend, { clock });
    });
    after(async () => {
      await t?.close();
    });

    it("listPrinters starts with the template printer only", async () => {
      assert.deepEqual(await t.rpc.call("api.listPrinters", 0, 1000), [TEMPLATE]);
    });

    it("a job naming an unknown printer creates it, listed as server\\printer and sorted by code point", async () => {
      await job("user=alice,server=ps1,printer=Lab");
      await job("user=alice,server=ps,printer=Hall");
      await job("user=alice,server=ps1,printer=Annex");
      assert.deepEqual(await t.rpc.call("api.listPrinters", 0, 1000), [TEMPLATE, "ps1\\Annex", "ps1\\Lab", "ps\\Hall"]);
      assert.deepEqual(await t.rpc.call("api.listPrinters", 1, 2), ["ps1\\Annex", "ps1\\Lab"]);
      assert.deepEqual(await t.rpc.call("api.listPrinters", 10, 5), []);
      assert.deepEqual(await t.rpc.call("api.listPrinters", 0, 2147483647), [TEMPLATE, "ps1\\Annex", "ps1\\Lab", "ps\\Hall"]);
      const fault = await t.rpc.fault("api.listPrinters", -1, 10);
      assert.match(fault.faultString, /offset must be zero or more/);
    });

    it("registerPrinter creates a printer once for a print provider", async () => {
      assert.equal(await t.rpc.call("api.registerPrinter", "ps2", "Queue A"), true);
      assert.equal(await t.rpc.call("api.registerPrinter", "ps2", "Queue A"), false);
      assert.equal(await prop("ps2", "Queue A", "cost-model"), "SIMPLE");
      assert.match((await t.rpc.fault("api.registerPrinter", "bad\\server", "x")).faultString, /must not contain a backslash/);
      assert.match((await t.rpc.fault("api.registerPrinter", "ps2", "[All Printers]")).faultString, /reserved printer name/);
    });

    it("reads every property, with printer-id and counters, and faults on unknown printers and properties", async () => {
      const values = await t.rpc.call<string[]>("api.getPrinterProperties", "ps1", "Lab", [
        "cost-model",
        "disabled",
        "print-stats.job-count",
        "print-stats.page-count",
        "printer-id",
        "custom-field-1",
        "virtual",
        "device-functions",
        "advanced-config.watermark.enabled",
      ]);
      assert.equal(values[0], "SIMPLE");
      assert.equal(values[1], "false");
      assert.equal(values[2], "1");
      assert.equal(values[3], "1");
      assert.match(values[4], /^\d+$/);
      assert.deepEqual(values.slice(5), ["", "false", "", ""]);
      const unknownPrinter = await t.rpc.fault("api.getPrinterProperty", "ps1", "Nope", "disabled");
      assert.match(unknownPrinter.faultString, /The printer ps1\\Nope does not exist\./);
      const unknownProperty = await t.rpc.fault("api.getPrinterProperty", "ps1", "Lab", "colour");
      assert.match(unknownProperty.faultString, /Unknown printer property: colour\./);
    });

    it("setPrinterProperties writes custom fields, flags and advanced-config keys verbatim, all or nothing", async () => {
      assert.equal(
        await t.rpc.call("api.setPrinterProperties", "ps1", "Lab", [
          ["custom-field-1", "Building 4"],
          ["custom-field-6", "cost centre 77"],
          ["virtual", "True"],
          ["device-functions", "PRINT,RELEASE_STATION"],
          ["advanced-config.watermark.text", "%user% %date%"],
          ["advanced-config.release-station", "STANDARD"],
        ]),
        true,
      );
      assert.deepEqual(
        await t.rpc.call("api.getPrinterProperties", "ps1", "Lab", ["custom-field-1", "custom-field-6", "virtual", "device-functions", "advanced-config.watermark.text", "advanced-config.release-station"]),
        ["Building 4", "cost centre 77", "true", "PRINT,RELEASE_STATION", "%user% %date%", "STANDARD"],
      );
      const fault = await t.rpc.fault("api.setPrinterProperties", "ps1", "Lab", [
        ["custom-field-2", "should not stick"],
        ["print-stats.job-count", "0"],
      ]);
      assert.match(fault.faultString, /print-stats.job-count is read-only/);
      assert.equal(await prop("ps1", "Lab", "custom-field-2"), "");
      assert.match((await t.rpc.fault("api.setPrinterProperty", "ps1", "Lab", "printer-id", "9")).faultString, /read-only/);
      assert.match((await t.rpc.fault("api.setPrinterProperty", "ps1", "Lab", "cost-model", "CHEAP")).faultString, /cost model "CHEAP" is not valid/);
      assert.match((await t.rpc.fault("api.setPrinterProperty", "ps1", "Lab", "advanced-config.cost.pst.A4.color.simplex", "ten")).faultString, /not a cost of zero or more/);
      assert.match((await t.rpc.fault("api.setPrinterProperty", "ps1", "Nope", "virtual", "true")).faultString, /does not exist/);
      assert.equal(await t.rpc.call("api.setPrinterProperty", "ps1", "Lab", "advanced-config.release-station", ""), true);
      assert.equal(await prop("ps1", "Lab", "advanced-config.release-station"), "");
    });

    it("setPrinterCostSimple and getPrinterCostSimple round-trip exactly; another model faults with code 292", async () => {
      assert.equal(await t.rpc.call("api.setPrinterCostSimple", "ps1", "Lab", { double: 0.15 }), true);
      assert.equal(await t.rpc.call("api.getPrinterCostSimple", "ps1", "Lab"), 0.15);
      assert.equal(await t.rpc.call("api.setPrinterProperty", "ps1", "Lab", "cost-model", "size_table"), true);
      assert.equal(await prop("ps1", "Lab", "cost-model"), "SIZE_TABLE");
      const fault = await t.rpc.fault("api.getPrinterCostSimple", "ps1", "Lab");
      assert.equal(fault.faultCode, 292);
      assert.match(fault.faultString, /uses the SIZE_TABLE charging model, not SIMPLE/);
      assert.equal(await t.rpc.call("api.setPrinterCostSimple", "ps1", "Lab", 1), true);
      assert.equal(await prop("ps1", "Lab", "cost-model"), "SIMPLE");
      assert.equal(await t.rpc.call("api.getPrinterCostSimple", "ps1", "Lab"), 1);
      assert.match((await t.rpc.fault("api.setPrinterCostSimple", "ps1", "Lab", { double: -0.1 })).faultString, /zero or more/);
      assert.match((await t.rpc.fault("api.getPrinterCostSimple", "ps1", "Nope")).faultString, /does not exist/);
    });

    it("new printers copy the template printer's charging settings", async () => {
      assert.equal(await t.rpc.call("api.setPrinterCostSimple", "", TEMPLATE, { double: 0.05 }), true);
      await job("user=alice,server=ps3,printer=New");
      assert.equal(await t.rpc.call("api.getPrinterCostSimple", "ps3", "New"), 0.05);
    });

    it("resetPrinterCounts zeroes the counters and records who reset them", async () => {
      assert.equal(await prop("ps1", "Lab", "print-stats.job-count"), "1");
      assert.equal(await t.rpc.call("api.resetPrinterCounts", "ps1", "Lab", "admin-bob"), true);
      assert.deepEqual(await t.rpc.call("api.getPrinterProperties", "ps1", "Lab", ["print-stats.job-count", "print-stats.page-count"]), ["0", "0"]);
      const row = await t.server.app.printers.findPrinter("ps1", "Lab");
      assert.equal(row?.counts_reset_by, "admin-bob");
      assert.equal(row?.counts_reset_at, clock.now());
      assert.match((await t.rpc.fault("api.resetPrinterCounts", "ps1", "Nope", "x")).faultString, /does not exist/);
    });

    it("addPrinterGroup adds, setPrinterGroups replaces from a comma-separated list, and an empty string clears", async () => {
      assert.equal(await t.rpc.call("api.addPrinterGroup", "ps1", "Lab", "Colour"), true);
      assert.equal(await t.rpc.call("api.addPrinterGroup", "ps1", "Lab", "Library"), true);
      assert.equal(await t.rpc.call("api.addPrinterGroup", "ps1", "Lab", "Colour"), true);
      assert.equal(await prop("ps1", "Lab", "printer-groups"), "Colour,Library");
      assert.equal(await t.rpc.call("api.setPrinterGroups", "ps1", "Lab", " Staff, Students ,,Staff"), true);
      assert.equal(await prop("ps1", "Lab", "printer-groups"), "Staff,Students");
      assert.equal(await t.rpc.call("api.setPrinterGroups", "ps1", "Lab", ""), true);
      assert.equal(await prop("ps1", "Lab", "printer-groups"), "");
      assert.match((await t.rpc.fault("api.addPrinterGroup", "ps1", "Lab", " ")).faultString, /must not be empty/);
      assert.match((await t.rpc.fault("api.setPrinterGroups", "ps1", "Nope", "A")).faultString, /does not exist/);
    });

    it("addPrinterAccessGroup accepts only existing groups; removePrinterAccessGroup removes", async () => {
      await t.server.app.db.write(async (trx) => {
        await trx.insertInto("groups").values({ name: "Staff", created_at: clock.now() }).execute();
      });
      assert.equal(await t.rpc.call("api.addPrinterAccessGroup", "ps1", "Lab", "Staff"), true);
      assert.equal(await prop("ps1", "Lab", "access-groups"), "Staff");
      const fault = await t.rpc.fault("api.addPrinterAccessGroup", "ps1", "Lab", "Ghosts");
      assert.match(fault.faultString, /The group Ghosts does not exist\./);
      assert.equal(await t.rpc.call("api.removePrinterAccessGroup", "ps1", "Lab", "Staff"), true);
      assert.equal(await prop("ps1", "Lab", "access-groups"), "");
      assert.equal(await t.rpc.call("api.removePrinterAccessGroup", "ps1", "Lab", "Staff"), true);
      assert.match((await t.rpc.fault("api.removePrinterAccessGroup", "ps1", "Nope", "Staff")).faultString, /does not exist/);
    });

    it("disablePrinter for some minutes re-enables itself when the time has passed", async () => {
      assert.equal(await t.rpc.call("api.disablePrinter", "ps1", "Lab", 30), true);
      assert.equal(await prop("ps1", "Lab", "disabled"), "true");
      clock.advance(29 * 60_000);
      assert.equal(await prop("ps1", "Lab", "disabled"), "true");
      clock.advance(60_001);
      assert.equal(await prop("ps1", "Lab", "disabled"), "false");
    });

    it("disablePrinter -1 lasts until enablePrinter, which also tolerates PaperCut's stray third argument", async () => {
      assert.equal(await t.rpc.call("api.disablePrinter", "ps1", "Lab", -1), true);
      clock.advance(365 * 24 * 3600_000);
      assert.equal(await prop("ps1", "Lab", "disabled"), "true");
      assert.equal(await t.rpc.call("api.enablePrinter", "ps1", "Lab", 10), true);
      assert.equal(await prop("ps1", "Lab", "disabled"), "false");
      assert.equal(await t.rpc.call("api.setPrinterProperty", "ps1", "Lab", "disabled", "TRUE"), true);
      assert.equal(await prop("ps1", "Lab", "disabled"), "true");
      assert.equal(await t.rpc.call("api.enablePrinter", "ps1", "Lab"), true);
      assert.equal(await prop("ps1", "Lab", "disabled"), "false");
      assert.match((await t.rpc.fault("api.disablePrinter", "ps1", "Lab", 0)).faultString, /positive number of minutes, or -1/);
      assert.match((await t.rpc.fault("api.enablePrinter", "ps1", "Nope")).faultString, /does not exist/);
      assert.match((await t.rpc.fault("api.disablePrinter", "ps1", "Nope", 5)).faultString, /does not exist/);
    });

    it("renamePrinter keeps settings, counters and job history; refuses a taken name", async () => {
      await job("user=alice,server=ps1,printer=Lab,total-pages=3");
      const before = await t.server.app.printers.findPrinter("ps1", "Lab");
      assert.ok(before);
      assert.equal(await t.rpc.call("api.renamePrinter", "ps1", "Lab", "ps9", "Lab 2"), true);
      assert.match((await t.rpc.fault("api.getPrinterProperty", "ps1", "Lab", "printer-id")).faultString, /does not exist/);
      assert.deepEqual(await t.rpc.call("api.getPrinterProperties", "ps9", "Lab 2", ["printer-id", "custom-field-1", "print-stats.page-count"]), [String(before.id), "Building 4", "3"]);
      const jobs = await t.server.app.jobs.listJobs({ printerId: before.id });
      assert.equal(jobs.length, 2);
      assert.match((await t.rpc.fault("api.renamePrinter", "ps9", "Lab 2", "ps1", "Annex")).faultString, /a printer named ps1\\Annex already exists/);
      assert.match((await t.rpc.fault("api.renamePrinter", "ps9", "Nope", "ps1", "X")).faultString, /does not exist/);
      assert.match((await t.rpc.fault("api.renamePrinter", "", TEMPLATE, "ps1", "X")).faultString, /template printer cannot be renamed/);
    });

    it("deletePrinter removes one printer and keeps its job history", async () => {
      const row = await t.server.app.printers.findPrinter("ps9", "Lab 2");
      assert.ok(row);
      assert.equal(await t.rpc.call("api.deletePrinter", "ps9", "Lab 2"), true);
      assert.ok(!(await t.rpc.call<string[]>("api.listPrinters", 0, 1000)).includes("ps9\\Lab 2"));
      assert.equal((await t.server.app.jobs.listJobs({ printerId: row.id })).length, 2);
      assert.match((await t.rpc.fault("api.deletePrinter", "ps9", "Lab 2")).faultString, /does not exist/);
      assert.match((await t.rpc.fault("api.deletePrinter", "", TEMPLATE)).faultString, /template printer cannot be deleted/);
    });

    it("deletePrinter with [All Printers] removes every printer of that server only", async () => {
      assert.equal(await t.rpc.call("api.deletePrinter", "ps1", "[All Printers]"), true);
      const names = await t.rpc.call<string[]>("api.listPrinters", 0, 1000);
      assert.deepEqual(names, [TEMPLATE, "ps2\\Queue A", "ps3\\New", "ps\\Hall"]);
      assert.match((await t.rpc.fault("api.deletePrinter", "ps1", "[All Printers]")).faultString, /The server ps1 has no printers\./);
      // A job naming a deleted printer brings up a new printer; the old history stays with the old row.
      await job("user=alice,server=ps1,printer=Lab");
      assert.equal(await prop("ps1", "Lab", "print-stats.job-count"), "1");
    });

    it("faults with -1 on a wrong argument count", async () => {
      const fault = await t.rpc.fault("api.disablePrinter", "ps1", "Lab");
      assert.equal(fault.faultCode, -1);
    });
  });
}
