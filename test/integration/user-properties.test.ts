// User properties, settings and account selection over real HTTP and HTTPS on both backends:
// get/setUserProperty(ies), card number rules, resetUserCounts, time-limited disablePrintingForUser
// (driven by a manual clock), clearUserAdvancedPrinterSettings and the account selection setters.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { ManualClock } from "../../src/kernel/clock.js";
import { BACKENDS } from "../support/backends.js";
import { assertFault, assertLedgerInvariant, clientFor, createUser, ledgerOfUser, TRANSPORTS } from "../support/fixtures.js";
import type { RpcClient } from "../support/rpc-client.js";
import { startTestServer, type TestServer } from "../support/server.js";

const ALL_READABLE = [
  "balance",
  "primary-card-number",
  "secondary-card-number",
  "card-number",
  "card-number2",
  "department",
  "office",
  "email",
  "full-name",
  "notes",
  "disabled-print",
  "disabled-net",
  "restricted",
  "internal",
  "unauthenticated",
  "home",
  "username-alias",
  "print-stats.job-count",
  "print-stats.page-count",
  "net-stats.data-mb",
  "net-stats.time-hours",
  "dont-hold-jobs-in-release-station",
  "dont-apply-printer-filter-rules",
  "printer-cost-adjustment-rate-percent",
  "dont-archive",
  "auto-release-jobs",
  "overdraft-amount",
  "delegated-users",
  "delegated-groups",
  "account-selection.mode",
  "account-selection.can-charge-personal",
  "account-selection.can-charge-shared-from-list",
  "account-selection.can-charge-shared-by-pin",
  "other-emails",
  "auto-shared-account",
  "default-shared-account",
];
const SELECTION = ["account-selection.mode", "account-selection.can-charge-personal", "account-selection.can-charge-shared-from-list", "account-selection.can-charge-shared-by-pin", "auto-shared-account", "default-shared-account"];

for (const backend of BACKENDS) {
  for (const transport of TRANSPORTS) {
    describe(`user properties and settings (${backend}, ${transport})`, () => {
      let t: TestServer;
      let rpc: RpcClient;
      const clock = new ManualClock(Date.UTC(2026, 5, 1, 9, 0, 0));
      let n = 0;
      const fresh = async (fields = {}) => {
        const name = `prop-user${++n}`;
        const id = await createUser(t, name, fields);
        return { name, id };
      };
      const props = (name: string, names: string[]) => rpc.call<string[]>("api.getUserProperties", name, names);

      before(async () => {
        t = await startTestServer(backend, { clock });
        rpc = clientFor(t, transport);
      });
      afterEach(async () => {
        await assertLedgerInvariant(t);
      });
      after(async () => {
        await t?.close();
      });

      it("getUserProperties reads the full property list, in the order asked", async () => {
        const u = await fresh({ full_name: "Pat Doe", email: "pat@example.org" });
        const values = await props(u.name, ALL_READABLE);
        assert.equal(values.length, ALL_READABLE.length);
        const byName = Object.fromEntries(ALL_READABLE.map((k, i) => [k, values[i]]));
        assert.equal(byName.balance, "0.0");
        assert.equal(byName["full-name"], "Pat Doe");
        assert.equal(byName.email, "pat@example.org");
        assert.equal(byName.restricted, "false");
        assert.equal(byName.internal, "false");
        assert.equal(byName["printer-cost-adjustment-rate-percent"], "-1");
        assert.equal(byName["account-selection.mode"], "AUTO_CHARGE_TO_PERSONAL_ACCOUNT");
        assert.equal(byName["overdraft-amount"], "0.0");
        assert.deepEqual(await props(u.name, ["email", "balance", "email"]), ["pat@example.org", "0.0", "pat@example.org"]);
        assert.deepEqual(await props(u.name, []), []);
      });

      it("getUserProperty returns one property as a string", async () => {
        const u = await fresh({ department: "Physics" });
        assert.equal(await rpc.call("api.getUserProperty", u.name, "department"), "Physics");
        assert.equal(await rpc.call("api.getUserProperty", u.name, "print-stats.page-count"), "0");
      });

      it("getUserProperty/getUserProperties fault on unknown, write-only and not-a-property names, and for unknown users", async () => {
        const u = await fresh();
        await assertFault(rpc.call("api.getUserProperty", u.name, "pin"), 0, /Unknown user property: pin\./);
        await assertFault(rpc.call("api.getUserProperty", u.name, "card-pin"), 0, /card-pin cannot be read/);
        await assertFault(rpc.call("api.getUserProperty", u.name, "password"), 0, /password cannot be read/);
        await assertFault(props(u.name, ["email", "no-such-thing"]), 0, /Unknown user property: no-such-thing\./);
        await assertFault(rpc.call("api.getUserProperty", "ghost", "email"), 0, /The user with name ghost could not be found\./);
        await assertFault(props("ghost", ["email"]), 0, /The user with name ghost could not be found\./);
      });

      it("setUserProperty writes each writable property and getUserProperty reads it back", async () => {
        const u = await fresh({ internal: 1 });
        const writes: Array<[string, string, string]> = [
          ["department", "Chemistry", "Chemistry"],
          ["office", "Room 1", "Room 1"],
          ["email", "new@example.org", "new@example.org"],
          ["full-name", "New Name", "New Name"],
          ["notes", '{"expiry":"2030-01-01"}', '{"expiry":"2030-01-01"}'],
          ["home", '"\\\\server\\share\\u"', '"\\\\server\\share\\u"'],
          ["username-alias", "alias-" + u.name, "alias-" + u.name],
          ["disabled-net", "True", "true"],
          ["unauthenticated", "TRUE", "true"],
          ["restricted", "true", "true"],
          ["dont-hold-jobs-in-release-station", "true", "true"],
          ["dont-apply-printer-filter-rules", "Y", "true"],
          ["dont-archive", "1", "true"],
          ["auto-release-jobs", "yes", "true"],
          ["printer-cost-adjustment-rate-percent", "150.5", "150.5"],
          ["overdraft-amount", "7.25", "7.25"],
          ["print-stats.job-count", "12", "12"],
          ["print-stats.page-count", "345", "345"],
          ["net-stats.data-mb", "1.5", "1.5"],
          ["net-stats.time-hours", "2", "2.0"],
          ["delegated-users", "bob,carol", "bob,carol"],
          ["delegated-groups", "staff", "staff"],
          ["primary-card-number", `card-${n}-${backend}-${transport}`, `card-${n}-${backend}-${transport}`],
          ["secondary-card-number", `card2-${n}-${backend}-${transport}`, `card2-${n}-${backend}-${transport}`],
          ["balance", "12.34", "12.34"],
          ["disabled-print", "TRUE", "true"],
        ];
        for (const [name, value] of writes) assert.equal(await rpc.call("api.setUserProperty", u.name, name, value), true, name);
        for (const [name, , expected] of writes) assert.equal(await rpc.call("api.getUserProperty", u.name, name), expected, name);
        // The write-only ones are accepted.
        assert.equal(await rpc.call("api.setUserProperty", u.name, "card-pin", "4321"), true);
        assert.equal(await rpc.call("api.setUserProperty", u.name, "password", "a new password"), true);
      });

      it("writing balance through a property is logged in the ledger like any balance change", async () => {
        const u = await fresh();
        await rpc.call("api.setUserProperty", u.name, "balance", "5.5");
        await rpc.call("api.setUserProperty", u.name, "balance", "2");
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 2);
        const rows = await ledgerOfUser(t, u.id);
        assert.deepEqual(
          rows.map((r) => [Number(r.amount), r.kind]),
          [
            [5_500_000, "set-balance"],
            [-3_500_000, "set-balance"],
          ],
        );
      });

      it("setUserProperty faults on read-only, unknown and unparseable values, and for unknown users", async () => {
        const u = await fresh();
        for (const name of ["internal", "account-selection.mode", "other-emails", "auto-shared-account", "default-shared-account"]) {
          await assertFault(rpc.call("api.setUserProperty", u.name, name, "x"), 0, new RegExp(`user property ${name.replace(/\./g, "\\.")} is read-only`));
        }
        await assertFault(rpc.call("api.setUserProperty", u.name, "pin", "1234"), 0, /Unknown user property: pin\./);
        await assertFault(rpc.call("api.setUserProperty", u.name, "restricted", "perhaps"), 0, /"perhaps" for restricted is not a boolean/);
        await assertFault(rpc.call("api.setUserProperty", u.name, "balance", "1,50"), 0, /"1,50" for balance is not a number/);
        await assertFault(rpc.call("api.setUserProperty", u.name, "print-stats.job-count", "-3"), 0, /whole number/);
        await assertFault(rpc.call("api.setUserProperty", u.name, "password", "x"), 0, /only internal users have a password/);
        await assertFault(rpc.call("api.setUserProperty", "ghost", "email", "x"), 0, /The user with name ghost could not be found\./);
      });

      it("setUserProperties writes several properties at once", async () => {
        const u = await fresh();
        assert.equal(
          await rpc.call("api.setUserProperties", u.name, [
            ["department", "Biology"],
            ["office", "Lab 3"],
            ["restricted", "TRUE"],
            ["balance", "3.5"],
          ]),
          true,
        );
        assert.deepEqual(await props(u.name, ["department", "office", "restricted", "balance"]), ["Biology", "Lab 3", "true", "3.5"]);
        assert.equal(await rpc.call("api.setUserProperties", u.name, []), true);
        await assertFault(rpc.call("api.setUserProperties", "ghost", []), 0, /The user with name ghost could not be found\./);
        await assertFault(rpc.call("api.setUserProperties", "ghost", [["office", "x"]]), 0, /The user with name ghost could not be found\./);
      });

      it("setUserProperties is atomic: one bad write changes nothing", async () => {
        const u = await fresh({ department: "Before", primary_card: `atomic-${backend}-${transport}` });
        const other = await fresh({ primary_card: `taken-${backend}-${transport}` });
        const before = await props(u.name, ALL_READABLE);
        await assertFault(
          rpc.call("api.setUserProperties", u.name, [
            ["department", "After"],
            ["balance", "99"],
            ["restricted", "true"],
            ["internal", "true"],
          ]),
          0,
          /internal is read-only/,
        );
        await assertFault(
          rpc.call("api.setUserProperties", u.name, [
            ["department", "After"],
            ["balance", "99"],
            ["overdraft-amount", "5"],
            ["secondary-card-number", `taken-${backend}-${transport}`],
          ]),
          0,
          /^java\.lang\.IllegalStateException: Tried to set secondary-card-number to taken-\S+, but number is not unique\.$/,
        );
        await assertFault(
          rpc.call("api.setUserProperties", u.name, [
            ["department", "After"],
            ["balance", "not a number"],
          ]),
          0,
          /not a number/,
        );
        assert.deepEqual(await props(u.name, ALL_READABLE), before);
        assert.equal((await ledgerOfUser(t, u.id)).length, 0);
        assert.equal(await rpc.call("api.getUserProperty", other.name, "primary-card-number"), `taken-${backend}-${transport}`);
      });

      it("setUserProperties refuses a pair that is not [name, value]", async () => {
        const u = await fresh();
        await assertFault(rpc.call("api.setUserProperties", u.name, [["department"]]), -1, /expected api\.setUserProperties\(authToken: string, username: string, propertyNamesAndValues: array<array<string>>\)/);
        await assertFault(rpc.call("api.setUserProperties", u.name, ["department", "x"]), -1, /NoSuchMethodException/);
      });

      it("card numbers are unique across users and both slots; a blank clears; a user may swap its own numbers", async () => {
        const tag = `${backend}-${transport}`;
        const a = await fresh();
        const b = await fresh();
        await rpc.call("api.setUserProperty", a.name, "primary-card-number", `A1-${tag}`);
        await rpc.call("api.setUserProperty", a.name, "card-number2", `A2-${tag}`);
        assert.equal(await rpc.call("api.getUserProperty", a.name, "card-number"), `A1-${tag}`);
        assert.equal(await rpc.call("api.getUserProperty", a.name, "secondary-card-number"), `A2-${tag}`);
        await assertFault(rpc.call("api.setUserProperty", b.name, "primary-card-number", `A1-${tag}`), 0, /Tried to set primary-card-number to A1-\S+, but number is not unique\./);
        await assertFault(rpc.call("api.setUserProperty", b.name, "primary-card-number", `A2-${tag}`), 0, /not unique/);
        await assertFault(rpc.call("api.setUserProperty", b.name, "card-number2", `A1-${tag}`), 0, /Tried to set secondary-card-number to A1-\S+, but number is not unique\./);
        // PaperCut's swapCardNumbers example: primary := secondary, then secondary := old primary.
        const primary = await rpc.call<string>("api.getUserProperty", a.name, "secondary-card-number");
        const secondary = await rpc.call<string>("api.getUserProperty", a.name, "primary-card-number");
        assert.equal(await rpc.call("api.setUserProperty", a.name, "primary-card-number", primary), true);
        assert.equal(await rpc.call("api.setUserProperty", a.name, "secondary-card-number", secondary), true);
        assert.deepEqual(await props(a.name, ["primary-card-number", "secondary-card-number"]), [`A2-${tag}`, `A1-${tag}`]);
        // Clearing with "" or a single space frees the number for someone else.
        await rpc.call("api.setUserProperty", a.name, "primary-card-number", " ");
        await rpc.call("api.setUserProperty", a.name, "secondary-card-number", "");
        assert.deepEqual(await props(a.name, ["primary-card-number", "secondary-card-number"]), ["", ""]);
        assert.equal(await rpc.call("api.setUserProperty", b.name, "primary-card-number", `A1-${tag}`), true);
        assert.equal(await rpc.call("api.lookUpUserNameByCardNo", `A1-${tag}`), b.name);
      });

      it("resetUserCounts zeroes the job and page counts", async () => {
        const u = await fresh();
        await rpc.call("api.setUserProperties", u.name, [
          ["print-stats.job-count", "5"],
          ["print-stats.page-count", "50"],
        ]);
        assert.equal(await rpc.call("api.resetUserCounts", u.name, "admin-script"), true);
        assert.deepEqual(await props(u.name, ["print-stats.job-count", "print-stats.page-count"]), ["0", "0"]);
        const row = await t.server.app.db.kysely.selectFrom("users").select(["counts_reset_by", "counts_reset_at"]).where("id", "=", u.id).executeTakeFirstOrThrow();
        assert.equal(row.counts_reset_by, "admin-script");
        assert.equal(Number(row.counts_reset_at), clock.now());
        await assertFault(rpc.call("api.resetUserCounts", "ghost", "x"), 0, /The user with name ghost could not be found\./);
      });

      it("disablePrintingForUser disables for the given minutes, then printing is enabled again by itself", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.disablePrintingForUser", u.name, 30), true);
        assert.equal(await rpc.call("api.getUserProperty", u.name, "disabled-print"), "true");
        clock.advance(29 * 60_000);
        assert.equal(await rpc.call("api.getUserProperty", u.name, "disabled-print"), "true");
        clock.advance(60_000);
        assert.equal(await rpc.call("api.getUserProperty", u.name, "disabled-print"), "false");
      });

      it("disablePrintingForUser with -1 disables until disabled-print is set to false", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.disablePrintingForUser", u.name, -1), true);
        clock.advance(365 * 24 * 60 * 60_000);
        assert.equal(await rpc.call("api.getUserProperty", u.name, "disabled-print"), "true");
        assert.equal(await rpc.call("api.setUserProperty", u.name, "disabled-print", "false"), true);
        assert.equal(await rpc.call("api.getUserProperty", u.name, "disabled-print"), "false");
        // Setting it by hand later is not time-limited.
        await rpc.call("api.setUserProperty", u.name, "disabled-print", "true");
        await rpc.call("api.disablePrintingForUser", u.name, 5);
        await rpc.call("api.setUserProperty", u.name, "disabled-print", "true");
        clock.advance(10 * 60_000);
        assert.equal(await rpc.call("api.getUserProperty", u.name, "disabled-print"), "true");
      });

      it("disablePrintingForUser refuses 0 and other negative minutes, and unknown users", async () => {
        const u = await fresh();
        await assertFault(rpc.call("api.disablePrintingForUser", u.name, 0), 0, /disableMins must be a positive number of minutes, or -1/);
        await assertFault(rpc.call("api.disablePrintingForUser", u.name, -2), 0, /disableMins/);
        await assertFault(rpc.call("api.disablePrintingForUser", "ghost", 5), 0, /could not be found/);
        assert.equal(await rpc.call("api.getUserProperty", u.name, "disabled-print"), "false");
      });

      it("clearUserAdvancedPrinterSettings resets the five advanced settings to their defaults", async () => {
        const u = await fresh();
        const advanced = ["dont-hold-jobs-in-release-station", "dont-apply-printer-filter-rules", "printer-cost-adjustment-rate-percent", "dont-archive", "auto-release-jobs"];
        await rpc.call("api.setUserProperties", u.name, [
          ["dont-hold-jobs-in-release-station", "true"],
          ["dont-apply-printer-filter-rules", "true"],
          ["printer-cost-adjustment-rate-percent", "50"],
          ["dont-archive", "true"],
          ["auto-release-jobs", "true"],
          ["department", "kept"],
        ]);
        assert.deepEqual(await props(u.name, advanced), ["true", "true", "50.0", "true", "true"]);
        assert.equal(await rpc.call("api.clearUserAdvancedPrinterSettings", u.name), true);
        assert.deepEqual(await props(u.name, advanced), ["false", "false", "-1", "false", "false"]);
        assert.equal(await rpc.call("api.getUserProperty", u.name, "department"), "kept");
        await assertFault(rpc.call("api.clearUserAdvancedPrinterSettings", "ghost"), 0, /could not be found/);
      });

      const ensureSharedAccount = async (name: string) => {
        if (!(await rpc.call("api.isSharedAccountExists", name))) await rpc.call("api.addNewSharedAccount", name);
      };

      it("setUserAccountSelectionAutoChargePersonal, with and without the confirmation popup", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.setUserAccountSelectionStandardPopup", u.name, true, true, true, false, false), true);
        assert.equal(await rpc.call("api.setUserAccountSelectionAutoChargePersonal", u.name), true);
        assert.deepEqual(await props(u.name, SELECTION), ["AUTO_CHARGE_TO_PERSONAL_ACCOUNT", "true", "false", "false", "", ""]);
        assert.equal(await rpc.call("api.setUserAccountSelectionAutoChargePersonal", u.name, true), true);
        assert.deepEqual(await props(u.name, SELECTION), ["CHARGE_TO_PERSONAL_ACCOUNT_WITH_CONFIRMATION", "true", "false", "false", "", ""]);
        assert.equal(await rpc.call("api.setUserAccountSelectionAutoChargePersonal", u.name, false), true);
        assert.equal(await rpc.call("api.getUserProperty", u.name, "account-selection.mode"), "AUTO_CHARGE_TO_PERSONAL_ACCOUNT");
      });

      it("setUserAccountSelectionAutoSelectSharedAccount stores the account", async () => {
        const u = await fresh();
        await ensureSharedAccount("Dept\\Research");
        assert.equal(await rpc.call("api.setUserAccountSelectionAutoSelectSharedAccount", u.name, " Dept\\Research ", false), true);
        assert.deepEqual(await props(u.name, SELECTION), ["AUTO_CHARGE_TO_SHARED", "false", "false", "false", "Dept\\Research", ""]);
      });

      it("setUserAccountSelectionStandardPopup stores the three can-charge flags and the default shared account", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.setUserAccountSelectionStandardPopup", u.name, false, true, false, false, false), true);
        assert.deepEqual(await props(u.name, SELECTION), ["SHOW_ACCOUNT_SELECTION_POPUP", "false", "true", "false", "", ""]);
        await ensureSharedAccount("Sales");
        assert.equal(await rpc.call("api.setUserAccountSelectionStandardPopup", u.name, true, false, true, true, true, "Sales"), true);
        assert.deepEqual(await props(u.name, SELECTION), ["SHOW_ACCOUNT_SELECTION_POPUP", "true", "false", "true", "", "Sales"]);
      });

      it("setUserAccountSelectionAdvancedPopup", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.setUserAccountSelectionAdvancedPopup", u.name, true, false), true);
        assert.deepEqual(await props(u.name, SELECTION), ["SHOW_ADVANCED_ACCOUNT_SELECTION_POPUP", "true", "true", "false", "", ""]);
        await ensureSharedAccount("Dept\\Teaching");
        assert.equal(await rpc.call("api.setUserAccountSelectionAdvancedPopup", u.name, false, true, "Dept\\Teaching"), true);
        assert.deepEqual(await props(u.name, SELECTION), ["SHOW_ADVANCED_ACCOUNT_SELECTION_POPUP", "false", "true", "false", "", "Dept\\Teaching"]);
      });

      it("account selection setters fault for unknown users and wrong argument types", async () => {
        await assertFault(rpc.call("api.setUserAccountSelectionAutoChargePersonal", "ghost"), 0, /could not be found/);
        await assertFault(rpc.call("api.setUserAccountSelectionAutoSelectSharedAccount", "ghost", "A", false), 0, /could not be found/);
        await assertFault(rpc.call("api.setUserAccountSelectionStandardPopup", "ghost", true, true, true, true, true), 0, /could not be found/);
        await assertFault(rpc.call("api.setUserAccountSelectionAdvancedPopup", "ghost", true, true), 0, /could not be found/);
        await assertFault(rpc.call("api.setUserAccountSelectionStandardPopup", "ghost", true, true), -1, /NoSuchMethodException/);
        await assertFault(rpc.call("api.setUserAccountSelectionAdvancedPopup", "ghost", "yes", true), -1, /allowPersonal must be a boolean/);
        const u = await fresh();
        await assertFault(rpc.call("api.setUserAccountSelectionAutoSelectSharedAccount", u.name, "No Such Account", false), 0, /No Such Account/);
        assert.equal(await rpc.call("api.getUserProperty", u.name, "account-selection.mode"), "AUTO_CHARGE_TO_PERSONAL_ACCOUNT");
      });
    });
  }
}
