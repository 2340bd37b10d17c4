import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** Every account's balance equals the sum of its ledger rows. */
async function assertLedgerMatches(t: TestServer): Promise<void> {
  const db = t.server.app.db.kysely;
  const accounts = await db.selectFrom("accounts").select(["id", "balance"]).execute();
  const sums = await db.selectFrom("ledger").select((eb) => ["account_id", eb.fn.sum<number>("amount").as("total")]).groupBy("account_id").execute();
  const byId = new Map(sums.map((s) => [s.account_id, Number(s.total)]));
  for (const a of accounts) assert.equal(a.balance, byId.get(a.id) ?? 0, `account ${a.id}`);
}

for (const backend of BACKENDS) {
  describe(`shared accounts (${backend})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
      for (const name of ["alice", "bob", "carol"]) await t.rpc.call("api.addNewInternalUser", name, "pw", name, "", "", "");
    });
    after(async () => {
      await t?.close();
    });

    it("addNewSharedAccount creates accounts; isSharedAccountExists never faults", async () => {
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "Science"), false);
      assert.equal(await t.rpc.call("api.addNewSharedAccount", "Science"), true);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "Science"), true);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "a\\b\\c"), false);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", ""), false);
    });

    it("a duplicate name faults", async () => {
      const fault = await t.rpc.fault("api.addNewSharedAccount", "Science");
      assert.match(fault.faultString, /IllegalStateException: The shared account Science already exists\./);
    });

    it("Parent\\Child creates a sub-account under an existing parent, and creates a missing parent", async () => {
      assert.equal(await t.rpc.call("api.addNewSharedAccount", "Science\\Chemistry"), true);
      assert.equal(await t.rpc.call("api.addNewSharedAccount", "Arts\\Music"), true);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "Arts"), true);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "Arts\\Music"), true);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "Music"), false);
    });

    it("malformed Parent\\Child names fault", async () => {
      for (const bad of ["a\\b\\c", "\\Child", "Parent\\", " ", "x\ty"]) {
        const fault = await t.rpc.fault("api.addNewSharedAccount", bad);
        assert.match(fault.faultString, /IllegalArgumentException: The shared account name/, bad);
      }
      const fault = await t.rpc.fault("api.getSharedAccountAccountBalance", "a\\b\\c");
      assert.match(fault.faultString, /one level deep/);
    });

    it("balances: adjust, set and get, with transactions logged; unknown accounts fault", async () => {
      assert.equal(await t.rpc.call("api.adjustSharedAccountAccountBalance", "Science\\Chemistry", { double: 10.25 }, "grant"), true);
      assert.equal(await t.rpc.call("api.adjustSharedAccountAccountBalance", "Science\\Chemistry", { double: -0.05 }), true);
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "Science\\Chemistry"), 10.2);
      assert.equal(await t.rpc.call("api.setSharedAccountAccountBalance", "Science", { double: 100 }, "budget"), true);
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "Science"), 100);
      for (const m of ["api.getSharedAccountAccountBalance"]) {
        assert.match((await t.rpc.fault(m, "Nope")).faultString, /The shared account Nope does not exist\./);
      }
      assert.match((await t.rpc.fault("api.adjustSharedAccountAccountBalance", "Nope", { double: 1 }, "x")).faultString, /does not exist/);
      assert.match((await t.rpc.fault("api.setSharedAccountAccountBalance", "Nope", { double: 1 }, "x")).faultString, /does not exist/);
      await assertLedgerMatches(t);
    });

    it("properties read and write, all or nothing", async () => {
      assert.equal(
        await t.rpc.call("api.setSharedAccountProperties", "Science", [
          ["restricted", "TRUE"],
          ["notes", "Faculty budget"],
          ["pin", "1001"],
          ["comment-option", "comment_required"],
          ["invoice-option", "ALWAYS_INVOICE"],
          ["overdraft-amount", "5.50"],
          ["access-users", "alice,bob"],
          ["access-groups", "!!All Users!!"],
        ]),
        true,
      );
      const values = await t.rpc.call<string[]>("api.getSharedAccountProperties", "Science", [
        "restricted",
        "notes",
        "pin",
        "comment-option",
        "invoice-option",
        "overdraft-amount",
        "access-users",
        "access-groups",
        "balance",
        "disabled",
      ]);
      assert.deepEqual(values, ["true", "Faculty budget", "1001", "COMMENT_REQUIRED", "ALWAYS_INVOICE", "5.5", "alice,bob", "!!All Users!!", "100.0", "false"]);
      assert.match(await t.rpc.call<string>("api.getSharedAccountProperty", "Science", "account-id"), /^\d+$/);
      assert.equal(await t.rpc.call("api.setSharedAccountProperty", "Science", "balance", "90.5"), true);
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "Science"), 90.5);
      // An unknown user in access-users fails the whole call; nothing changes.
      const fault = await t.rpc.fault("api.setSharedAccountProperties", "Science", [
        ["notes", "changed"],
        ["access-users", "alice,ghost"],
      ]);
      assert.match(fault.faultString, /The user with name ghost could not be found\./);
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "Science", "notes"), "Faculty budget");
      assert.match((await t.rpc.fault("api.getSharedAccountProperty", "Science", "colour")).faultString, /Unknown shared account property: colour/);
      assert.match((await t.rpc.fault("api.setSharedAccountProperty", "Science", "account-id", "7")).faultString, /read-only/);
      assert.match((await t.rpc.fault("api.setSharedAccountProperty", "Science", "invoice-option", "SOMETIMES")).faultString, /not valid/);
      assert.match((await t.rpc.fault("api.setSharedAccountProperty", "Arts", "pin", "1001")).faultString, /another shared account uses it/);
      await assertLedgerMatches(t);
    });

    it("overdraft mode: default or individual, any case in, lower case out", async () => {
      assert.equal(await t.rpc.call("api.getSharedAccountOverdraftMode", "Science"), "default");
      assert.equal(await t.rpc.call("api.setSharedAccountOverdraftMode", "Science", "INDIVIDUAL"), true);
      assert.equal(await t.rpc.call("api.getSharedAccountOverdraftMode", "Science"), "individual");
      assert.match((await t.rpc.fault("api.setSharedAccountOverdraftMode", "Science", "lenient")).faultString, /not valid/);
      assert.match((await t.rpc.fault("api.getSharedAccountOverdraftMode", "Nope")).faultString, /does not exist/);
    });

    it("access users and groups: add, remove, duplicates harmless, unknown names fault", async () => {
      await t.rpc.call("api.addNewSharedAccount", "Projects");
      await t.rpc.call("api.addNewGroup", "Staff");
      assert.equal(await t.rpc.call("api.addSharedAccountAccessUser", "Projects", "carol"), true);
      assert.equal(await t.rpc.call("api.addSharedAccountAccessUser", "Projects", "carol"), true);
      assert.equal(await t.rpc.call("api.addSharedAccountAccessGroup", "Projects", "Staff"), true);
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "Projects", "access-users"), "carol");
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "Projects", "access-groups"), "Staff");
      assert.equal(await t.rpc.call("api.removeSharedAccountAccessUser", "Projects", "carol"), true);
      assert.equal(await t.rpc.call("api.removeSharedAccountAccessGroup", "Projects", "Staff"), true);
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "Projects", "access-users"), "");
      assert.match((await t.rpc.fault("api.addSharedAccountAccessUser", "Projects", "ghost")).faultString, /The user with name ghost could not be found\./);
      assert.match((await t.rpc.fault("api.addSharedAccountAccessGroup", "Projects", "Ghosts")).faultString, /The group Ghosts does not exist\./);
      assert.match((await t.rpc.fault("api.addSharedAccountAccessUser", "Nope", "carol")).faultString, /The shared account Nope does not exist\./);
      assert.match((await t.rpc.fault("api.removeSharedAccountAccessGroup", "Nope", "Staff")).faultString, /does not exist/);
    });

    it("listUserSharedAccounts: user, group and parent access; empty in a personal-only mode unless ignoreAccountMode", async () => {
      // Science grants alice and bob directly and !!All Users!! by group; Projects grants carol through Staff.
      await t.rpc.call("api.addSharedAccountAccessGroup", "Projects", "Staff");
      await t.rpc.call("api.addUserToGroup", "carol", "Staff");
      assert.deepEqual(await t.rpc.call("api.listUserSharedAccounts", "carol", 0, 100), []);
      assert.deepEqual(await t.rpc.call("api.listUserSharedAccounts", "carol", 0, 100, true), ["Projects", "Science", "Science\\Chemistry"]);
      await t.rpc.call("api.setUserAccountSelectionStandardPopup", "carol", true, true, false, false, false);
      assert.deepEqual(await t.rpc.call("api.listUserSharedAccounts", "carol", 0, 100, false), ["Projects", "Science", "Science\\Chemistry"]);
      assert.deepEqual(await t.rpc.call("api.listUserSharedAccounts", "carol", 1, 1, false), ["Science"]);
      assert.match((await t.rpc.fault("api.listUserSharedAccounts", "ghost", 0, 10)).faultString, /The user with name ghost could not be found\./);
    });

    it("disableSharedAccount: time-limited disable re-enables itself; -1 lasts until re-enabled", async () => {
      assert.equal(await t.rpc.call("api.disableSharedAccount", "Projects", 60), true);
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "Projects", "disabled"), "true");
      assert.deepEqual(await t.rpc.call("api.listUserSharedAccounts", "carol", 0, 100, true), ["Science", "Science\\Chemistry"]);
      // Move the account's end time into the past instead of waiting an hour.
      await t.server.app.db.kysely.updateTable("accounts").set({ disabled_until: Date.now() - 1 }).where("name", "=", "Projects").execute();
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "Projects", "disabled"), "false");
      assert.equal(await t.rpc.call("api.disableSharedAccount", "Projects", -1), true);
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "Projects", "disabled"), "true");
      assert.equal(await t.rpc.call("api.setSharedAccountProperty", "Projects", "disabled", "false"), true);
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "Projects", "disabled"), "false");
      assert.match((await t.rpc.fault("api.disableSharedAccount", "Projects", 0)).faultString, /disableMins/);
      assert.match((await t.rpc.fault("api.disableSharedAccount", "Nope", 5)).faultString, /does not exist/);
    });

    it("renameSharedAccount keeps the balance and renames sub-accounts with their parent", async () => {
      assert.equal(await t.rpc.call("api.renameSharedAccount", "Science", "Sciences"), true);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "Sciences\\Chemistry"), true);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "Science\\Chemistry"), false);
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "Sciences"), 90.5);
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "Sciences\\Chemistry"), 10.2);
      assert.equal(await t.rpc.call("api.renameSharedAccount", "Sciences\\Chemistry", "Arts\\Chemistry"), true);
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "Arts\\Chemistry"), 10.2);
      assert.match((await t.rpc.fault("api.renameSharedAccount", "Arts", "Sciences")).faultString, /already exists/);
      assert.match((await t.rpc.fault("api.renameSharedAccount", "Arts", "Sciences\\Arts")).faultString, /cannot become a sub-account/);
      assert.match((await t.rpc.fault("api.renameSharedAccount", "Nope", "Other")).faultString, /does not exist/);
      assert.match((await t.rpc.fault("api.renameSharedAccount", "Arts", "a\\b\\c")).faultString, /not valid/);
    });

    it("deleteExistingSharedAccount deletes a parent with its sub-accounts and keeps history", async () => {
      const db = t.server.app.db.kysely;
      const before = await db.selectFrom("ledger").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      assert.equal(await t.rpc.call("api.deleteExistingSharedAccount", "Arts"), true);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "Arts"), false);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "Arts\\Chemistry"), false);
      const afterCount = await db.selectFrom("ledger").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      assert.equal(Number(afterCount.n), Number(before.n));
      assert.match((await t.rpc.fault("api.deleteExistingSharedAccount", "Arts")).faultString, /does not exist/);
      // The name is free again.
      assert.equal(await t.rpc.call("api.addNewSharedAccount", "Arts"), true);
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "Arts"), 0);
    });

    it("listSharedAccounts keeps sub-accounts right after their parent, in code point order", async () => {
      for (const name of ["zz", "Zz Top", "Zz\\Child", "Zz\\Alpha"]) await t.rpc.call("api.addNewSharedAccount", name);
      const all = await t.rpc.call<string[]>("api.listSharedAccounts", 0, 1000);
      assert.deepEqual(all.slice(-5), ["Zz", "Zz\\Alpha", "Zz\\Child", "Zz Top", "zz"]);
    });

    it("account selection refuses an unknown shared account and reports what is set", async () => {
      assert.match(
        (await t.rpc.fault("api.setUserAccountSelectionAutoSelectSharedAccount", "alice", "Nope", false)).faultString,
        /The shared account Nope does not exist\./,
      );
      assert.match((await t.rpc.fault("api.setUserAccountSelectionAutoSelectSharedAccount", "ghost", "Sciences", false)).faultString, /ghost could not be found/);
      assert.match((await t.rpc.fault("api.setUserAccountSelectionStandardPopup", "alice", true, true, false, false, false, "Nope")).faultString, /Nope does not exist/);
      assert.match((await t.rpc.fault("api.setUserAccountSelectionAdvancedPopup", "alice", true, false, "Nope")).faultString, /Nope does not exist/);
      assert.equal(await t.rpc.call("api.setUserAccountSelectionAutoSelectSharedAccount", "alice", "Sciences", false), true);
      assert.deepEqual(await t.rpc.call("api.getUserProperties", "alice", ["account-selection.mode", "auto-shared-account"]), ["AUTO_CHARGE_TO_SHARED", "Sciences"]);
      assert.equal(await t.rpc.call("api.setUserAccountSelectionAdvancedPopup", "alice", true, false, "Sciences"), true);
      assert.deepEqual(await t.rpc.call("api.getUserProperties", "alice", ["account-selection.mode", "default-shared-account", "account-selection.can-charge-personal"]), [
        "SHOW_ADVANCED_ACCOUNT_SELECTION_POPUP",
        "Sciences",
        "true",
      ]);
      assert.equal(await t.rpc.call("api.setUserAccountSelectionStandardPopup", "alice", false, true, true, false, false, ""), true);
      assert.deepEqual(await t.rpc.call("api.getUserProperties", "alice", ["account-selection.mode", "account-selection.can-charge-shared-by-pin", "default-shared-account"]), [
        "SHOW_ACCOUNT_SELECTION_POPUP",
        "true",
        "",
      ]);
    });
  });

  describe(`shared account listing with 2,000 accounts in 20 parents (${backend})`, () => {
    let t: TestServer;
    const parents = Array.from({ length: 20 }, (_, p) => `Dept${String(p).padStart(2, "0")}`);
    before(async () => {
      t = await startTestServer(backend);
      await t.rpc.call("api.addNewInternalUser", "dana", "pw", "", "", "", "");
      await t.rpc.call("api.addNewGroup", "Odd");
      await t.rpc.call("api.addUserToGroup", "dana", "Odd");
      // Insert efficiently: one transaction, multi-row inserts.
      await t.server.app.db.write(async (trx) => {
        const ids = await trx
          .insertInto("accounts")
          .values(parents.map((name) => ({ account_type: "shared" as const, name, created_at: 0 })))
          .returning(["id", "name"])
          .execute();
        for (const parent of ids) {
          const rows = Array.from({ length: 99 }, (_, c) => ({ account_type: "shared" as const, name: `${parent.name}\\Proj${String(98 - c).padStart(3, "0")}`, parent_id: parent.id, created_at: 0 }));
          await trx.insertInto("accounts").values(rows).execute();
        }
      });
      // dana reaches odd-numbered parents (and so their sub-accounts) through the group, and one child directly.
      for (let p = 1; p < 20; p += 2) await t.rpc.call("api.addSharedAccountAccessGroup", parents[p], "Odd");
      await t.rpc.call("api.addSharedAccountAccessUser", "Dept00\\Proj005", "dana");
    });
    after(async () => {
      await t?.close();
    });

    const expectedAll = parents.flatMap((p) => [p, ...Array.from({ length: 99 }, (_, c) => `${p}\\Proj${String(c).padStart(3, "0")}`)]);

    it("listSharedAccounts returns every parent followed by its sub-accounts, paged by 1000", async () => {
      const pages: string[][] = [];
      for (let offset = 0; ; offset += 1000) {
        const page = await t.rpc.call<string[]>("api.listSharedAccounts", offset, 1000);
        pages.push(page);
        if (page.length < 1000) break;
        assert.ok(pages.length < 5);
      }
      assert.deepEqual(pages.map((p) => p.length), [1000, 1000, 0]);
      assert.deepEqual(pages.flat(), expectedAll);
      assert.deepEqual(await t.rpc.call("api.listSharedAccounts", 99, 3), ["Dept00\\Proj098", "Dept01", "Dept01\\Proj000"]);
      assert.deepEqual(await t.rpc.call("api.listSharedAccounts", 5000, 10), []);
      assert.equal((await t.rpc.call<string[]>("api.listSharedAccounts", 0, 2147483647)).length, 2000);
    });

    it("listUserSharedAccounts lists exactly the reachable accounts in the same order, paged", async () => {
      const expected = expectedAll.filter((name) => name === "Dept00\\Proj005" || Number(name.slice(4, 6)) % 2 === 1);
      assert.equal(expected.length, 1001);
      const got: string[] = [];
      for (let offset = 0; offset < 5000; offset += 300) {
        const page = await t.rpc.call<string[]>("api.listUserSharedAccounts", "dana", offset, 300, true);
        got.push(...page);
        if (page.length < 300) break;
      }
      assert.deepEqual(got, expected);
    });
  });
}
