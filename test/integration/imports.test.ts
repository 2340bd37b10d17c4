import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { summaryOf, waitForTask } from "../support/tasks.js";

for (const backend of BACKENDS) {
  describe(`batch imports (${backend})`, () => {
    let t: TestServer;
    let dir: string;
    const file = (name: string, lines: string[], eol = "\n") => {
      const path = join(dir, name);
      writeFileSync(path, lines.join(eol) + eol);
      return path;
    };
    const run = async (method: string, ...args: Array<string | boolean>) => {
      await t.rpc.call(method, ...args);
      return waitForTask(t.rpc);
    };
    const props = (user: string, names: string[]) => t.rpc.call<string[]>("api.getUserProperties", user, names);
    before(async () => {
      t = await startTestServer(backend);
      dir = mkdtempSync(join(tmpdir(), "quire-imports-"));
    });
    after(async () => {
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("batchImportUsers creates and updates users from the 14-column file", async () => {
      const path = file("users.tsv", [
        "JSmith\t25.00\tY\tJane Smith\tjsmith@example.edu\tScience\tBlock C\t40021\t1234\tTransfer student\tS-1\tj2@example.edu\tjane\t\\\\srv\\jsmith",
        "mchan\t\tN\t\t\t\t\t\t\t\t\t\t\t",
        "",
        "pkaur\t3",
      ], "\r\n");
      const status = await run("api.batchImportUsers", path, true);
      assert.match(summaryOf(status), /User import complete: 4 lines processed, 3 users created, 0 updated, 0 skipped \(unknown users\), 0 errors\.$/);
      assert.deepEqual(await props("jsmith", ["balance", "restricted", "full-name", "email", "department", "office", "primary-card-number", "notes", "secondary-card-number", "other-emails", "username-alias", "home"]), [
        "25.0", "true", "Jane Smith", "jsmith@example.edu", "Science", "Block C", "40021", "Transfer student", "S-1", "j2@example.edu", "jane", "\\\\srv\\jsmith",
      ]);
      assert.deepEqual(await props("mchan", ["restricted", "full-name"]), ["false", ""]);
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "pkaur"), 3);
      const update = file("update.tsv", ["jsmith\t\t\tJane Q. Smith", "nobody\t5"]);
      const second = await run("api.batchImportUsers", update, false);
      assert.match(summaryOf(second), /2 lines processed, 0 users created, 1 updated, 1 skipped \(unknown users\), 0 errors\.$/);
      assert.deepEqual(await props("jsmith", ["full-name", "balance", "email"]), ["Jane Q. Smith", "25.0", "jsmith@example.edu"]);
      assert.equal(await t.rpc.call("api.isUserExists", "nobody"), false);
    });

    it("bad lines are reported with their line numbers, skipped, and the rest applied", async () => {
      const path = file("bad.tsv", ["okuser\t1", "baduser\t1\tMAYBE", "\t2", "dupcard\t\t\t\t\t\t\t40021", "badmoney\tlots", "okuser2\t2"]);
      const status = await run("api.batchImportUsers", path, true);
      assert.match(status.message, / - Line 2: Restricted status must be Y or N, not "MAYBE"\.\n/);
      assert.match(status.message, / - Line 3: the username \(first field\) is empty\.\n/);
      assert.match(status.message, / - Line 4: .*40021.*not unique/);
      assert.match(status.message, / - Line 5: .*not a number/);
      assert.match(summaryOf(status), /6 lines processed, 2 users created, 0 updated, 0 skipped \(unknown users\), 4 errors\.$/);
      assert.equal(await t.rpc.call("api.isUserExists", "dupcard"), false, "a failing line leaves nothing half-applied");
      assert.equal(await t.rpc.call("api.isUserExists", "okuser2"), true);
    });

    it("a missing or unreadable file faults before any task starts", async () => {
      const before = await t.rpc.callRaw("api.getTaskStatus", []);
      const fault = await t.rpc.fault("api.batchImportUsers", join(dir, "missing.tsv"), true);
      assert.match(fault.faultString, /The import file .*missing\.tsv does not exist on the server\./);
      const dirFault = await t.rpc.fault("api.batchImportSharedAccounts", dir, false, false);
      assert.match(dirFault.faultString, /is not a file/);
      assert.deepEqual(await t.rpc.callRaw("api.getTaskStatus", []), before);
    });

    it("batchImportInternalUsers creates internal users with passwords and honours the overwrite flags", async () => {
      const path = file("internal.tsv", ["guest-0042\tS3cret!pw\t5.00\tY\tVisiting Researcher\tvr42@example.org\tLibrary\tLevel 2\t900042\t4321\tExpires soon\t\t", "no-password\t\t1", "bad/name\tpw"]);
      const status = await run("api.batchImportInternalUsers", path, false, false);
      assert.match(status.message, /Line 2: a new internal user needs a password/);
      assert.match(status.message, /Line 3: .*bad\/name.*\//);
      assert.match(summaryOf(status), /3 lines processed, 1 users created, 0 updated, 2 errors\.$/);
      assert.deepEqual(await props("guest-0042", ["internal", "balance", "full-name", "office", "primary-card-number"]), ["true", "5.0", "Visiting Researcher", "Level 2", "900042"]);
      const row = await t.server.app.db.kysely.selectFrom("users").select(["password_hash", "card_pin_hash"]).where("username", "=", "guest-0042").executeTakeFirstOrThrow();
      const again = file("internal2.tsv", ["guest-0042\tOther!pw\t\t\t\t\t\t\t\t9999"]);
      await run("api.batchImportInternalUsers", again, false, false);
      const kept = await t.server.app.db.kysely.selectFrom("users").select(["password_hash", "card_pin_hash"]).where("username", "=", "guest-0042").executeTakeFirstOrThrow();
      assert.deepEqual(kept, row, "without the overwrite flags, existing password and PIN stay");
      await run("api.batchImportInternalUsers", again, true, true);
      const changed = await t.server.app.db.kysely.selectFrom("users").select(["password_hash", "card_pin_hash"]).where("username", "=", "guest-0042").executeTakeFirstOrThrow();
      assert.notEqual(changed.password_hash, row.password_hash);
      assert.notEqual(changed.card_pin_hash, row.card_pin_hash);
    });

    it("batchImportUserCardIdNumbers sets card numbers and refuses duplicates and unknown users", async () => {
      const path = file("cards.tsv", ["mchan\tA7F00C91", "pkaur\t40021\t1111", "ghost\t123", "okuser\tC-OK\t2222"], "\r\n");
      const status = await run("api.batchImportUserCardIdNumbers", path, false);
      assert.match(status.message, /Line 2: .*40021.*not unique/);
      assert.match(status.message, /Line 3: The user with name ghost could not be found\./);
      assert.match(summaryOf(status), /4 lines processed, 2 users updated, 2 errors\.$/);
      assert.equal(await t.rpc.call("api.lookUpUserNameByCardNo", "A7F00C91"), "mchan");
      assert.equal(await t.rpc.call("api.lookUpUserNameByCardNo", "C-OK"), "okuser");
      assert.deepEqual(await props("pkaur", ["primary-card-number"]), [""]);
    });

    it("batchImportSharedAccounts: a test run changes nothing, the real run matches its counts, and accounts not in the file are deleted on request", async () => {
      const lines: string[] = [];
      for (let p = 0; p < 2; p++) {
        lines.push(`parentAccount${p}\t\tY\tPPx${p}\t10.0\tN\t[All Users]\t\t\t\t`);
        for (let a = 0; a < 3; a++) lines.push(`${p}LongParent\t${a}Child\t\t${p}x${a}\t10.0\t\t\t[All Users]\t\t\t`);
      }
      lines.push("Science\tChemistry\tY\t1002\t120.00\tY\tmchan|pkaur\tStaff\tALWAYS_INVOICE\tCOMMENT_REQUIRED\t");
      lines.push("Science\tPhysics\tY\t\t\t\tnobody-here");
      lines.push("Bad\t\tX");
      const path = file("shared.tsv", lines);
      await t.rpc.call("api.addNewGroup", "Staff");
      const accounts = () => t.server.app.db.kysely.selectFrom("accounts").select(["name", "balance", "pin", "invoice_option", "comment_option", "restricted"]).where("account_type", "=", "shared").where("deleted_at", "is", null).orderBy("name").execute();
      const ledger = () => t.server.app.db.kysely.selectFrom("ledger").select("id").execute();
      const ledgerBefore = (await ledger()).length;
      assert.match(await t.rpc.call<string>("api.batchImportSharedAccounts", path, true, false), /started as a test run/);
      const test = await waitForTask(t.rpc);
      assert.match(test.message, /Line 10: The user with name nobody-here could not be found\./);
      assert.match(test.message, /Line 11: Enabled must be Y or N/);
      assert.match(summaryOf(test), /Test run complete \(nothing was changed\): 11 lines processed, 12 accounts would be created, 0 would be updated, 0 would be deleted, 2 errors\.$/);
      assert.deepEqual(await accounts(), []);
      assert.equal((await ledger()).length, ledgerBefore);
      const real = await run("api.batchImportSharedAccounts", path, false, false);
      assert.match(summaryOf(real), /Import complete: 11 lines processed, 12 accounts created, 0 updated, 0 deleted, 2 errors\.$/);
      const rows = await accounts();
      assert.equal(rows.length, 12);
      assert.deepEqual(rows.find((r) => r.name === "Science\\Chemistry"), { name: "Science\\Chemistry", balance: 120_000_000, pin: "1002", invoice_option: "ALWAYS_INVOICE", comment_option: "COMMENT_REQUIRED", restricted: 1 });
      assert.deepEqual(await t.rpc.call("api.getSharedAccountProperties", "Science\\Chemistry", ["access-users", "access-groups"]), ["mchan,pkaur", "Staff"]);
      assert.match(await t.rpc.call<string>("api.getSharedAccountProperty", "parentAccount0", "access-groups"), /All Users/);
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "parentAccount0", "access-users"), "");
      const subset = file("subset.tsv", ["parentAccount0\t\t\t\t\t\t\t\t\t\tkept", "Science\tChemistry"]);
      const testDelete = await run("api.batchImportSharedAccounts", subset, true, true);
      assert.match(summaryOf(testDelete), /2 lines processed, 0 accounts would be created, 2 would be updated, 9 would be deleted, 0 errors\.$/);
      assert.equal((await accounts()).length, 12);
      const del = await run("api.batchImportSharedAccounts", subset, false, true);
      assert.match(summaryOf(del), /0 accounts created, 2 updated, 9 deleted, 0 errors\.$/);
      assert.deepEqual((await accounts()).map((r) => r.name), ["Science", "Science\\Chemistry", "parentAccount0"]);
    });

    it("within one batch: a user named twice is created then updated, and a card or PIN taken by an earlier line is refused", async () => {
      const users = file("twice.tsv", ["twice\t4\t\tFirst Name\t\t\t\tTW-1", "twice2\t1\t\t\t\t\t\tTW-1", "twice\t6\t\tSecond Name"]);
      const status = await run("api.batchImportUsers", users, true);
      assert.match(status.message, / - Line 2: .*TW-1.*not unique/);
      assert.match(summaryOf(status), /3 lines processed, 1 users created, 1 updated, 0 skipped \(unknown users\), 1 errors\.$/);
      assert.deepEqual(await props("twice", ["balance", "full-name", "primary-card-number"]), ["6.0", "Second Name", "TW-1"]);
      assert.equal(await t.rpc.call("api.isUserExists", "twice2"), false);
      const ledger = await t.server.app.db.kysely
        .selectFrom("ledger")
        .innerJoin("accounts", "accounts.id", "ledger.account_id")
        .innerJoin("users", "users.id", "accounts.user_id")
        .select(["ledger.amount", "ledger.balance_after"])
        .where("users.username", "=", "twice")
        .orderBy("ledger.id")
        .execute();
      assert.deepEqual(ledger, [{ amount: 4_000_000, balance_after: 4_000_000 }, { amount: 2_000_000, balance_after: 6_000_000 }]);
      const shared = file("pins.tsv", ["PinParent\tA\t\tPIN-7\t2.5", "PinParent\tB\t\tPIN-7\t1", "PinParent\tA\t\tPIN-8", "PinParent\tC\t\tPIN-7"]);
      const run2 = await run("api.batchImportSharedAccounts", shared, false, false);
      assert.match(run2.message, / - Line 2: the PIN\/code PIN-7 is already used/);
      assert.match(summaryOf(run2), /4 lines processed, 3 accounts created, 1 updated, 0 deleted, 1 errors\.$/);
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "PinParent\\C", "pin"), "PIN-7");
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "PinParent\\A", "pin"), "PIN-8");
      assert.equal(await t.rpc.call("api.getSharedAccountAccountBalance", "PinParent\\A"), 2.5);
      assert.equal(await t.rpc.call("api.isSharedAccountExists", "PinParent\\B"), false);
    });

    it("a batch applied set-based gives exactly what its lines applied one by one give", async () => {
      // The same lines under two prefixes: the "L" file has a last line that fails when applied (an unknown
      // user), so its batch is applied line by line; the "S" file is clean, so its batch takes the
      // set-based path. Both must end the same.
      await run("api.batchImportUsers", file("sb-users.tsv", ["sb-ann", "sb-bob"]), true);
      await t.rpc.call("api.addNewGroup", "SB-Staff");
      const setup = (p: string) => [`${p}-Top\t\tY\t${p}-1\t5\tN\tsb-ann\tSB-Staff`, `${p}-Par\tOld\t\t${p}-2\t3\t\t\t[All Users]`];
      const update = (p: string) => [
        `${p}-Par\tNew\tN\t${p}-3\t7.5\tY\tsb-ann|sb-bob\t\tNEVER_INVOICE\tCOMMENT_OPTIONAL\tnew child`,
        `${p}-Top\t\tN\t${p}-2x\t1.25\t\t-`,
        `${p}-Par\tOld\t\t${p}-1\t\t`,
        `${p}-New\tA\t\t\t2`,
        `${p}-New\t\tY\t\t4\t\t\tSB-Staff`,
        `${p}-New\tA\t\t\t3\t\tsb-bob`,
        `${p}-Top\t\t\t\t9\t\t\t-`,
        `${p}-Par\tOld\t\t\t3`,
      ];
      const bad = "Bad\t\t\t\t\t\tnobody-here";
      assert.match(summaryOf(await run("api.batchImportSharedAccounts", file("s1.tsv", setup("S")), false, false)), /2 lines processed, 3 accounts created, 0 updated, 0 deleted, 0 errors\.$/);
      assert.match(summaryOf(await run("api.batchImportSharedAccounts", file("l1.tsv", [...setup("L"), bad]), false, false)), /3 lines processed, 3 accounts created, 0 updated, 0 deleted, 1 errors\.$/);
      assert.match(summaryOf(await run("api.batchImportSharedAccounts", file("s2.tsv", update("S")), false, false)), /8 lines processed, 3 accounts created, 6 updated, 0 deleted, 0 errors\.$/);
      const lineByLine = await run("api.batchImportSharedAccounts", file("l2.tsv", [...update("L"), bad]), false, false);
      assert.match(lineByLine.message, / - Line 9: The user with name nobody-here could not be found\./);
      assert.match(summaryOf(lineByLine), /9 lines processed, 3 accounts created, 6 updated, 0 deleted, 1 errors\.$/);

      const db = t.server.app.db.kysely;
      const snapshot = async (p: string) => {
        const rows = await db
          .selectFrom("accounts")
          .leftJoin("accounts as parent", "parent.id", "accounts.parent_id")
          .select(["accounts.id", "accounts.name", "parent.name as parent", "accounts.balance", "accounts.pin", "accounts.disabled", "accounts.restricted", "accounts.notes", "accounts.invoice_option", "accounts.comment_option"])
          .where("accounts.account_type", "=", "shared")
          .where("accounts.deleted_at", "is", null)
          .where("accounts.name", "like", `${p}-%`)
          .orderBy("accounts.name")
          .execute();
        const out: Record<string, unknown> = {};
        for (const { id, name, ...row } of rows) {
          const ledger = await db.selectFrom("ledger").select(["amount", "balance_after", "kind", "comment"]).where("account_id", "=", id).orderBy("id").execute();
          assert.equal(row.balance, ledger.reduce((sum, l) => sum + l.amount, 0), `${name}: balance = sum of its ledger`);
          const [users, groups] = await t.rpc.call<string[]>("api.getSharedAccountProperties", name, ["access-users", "access-groups"]);
          const strip = (v: string | null) => v?.split(`${p}-`).join("*");
          out[strip(name)!] = { ...row, parent: strip(row.parent), pin: strip(row.pin), users, groups, ledger };
        }
        return out;
      };
      // The set-based path inserts a batch's new top-level accounts before its new sub-accounts; line by
      // line, they come in line order. This tells that the clean file really took the set-based path.
      const idOf = async (name: string) => (await db.selectFrom("accounts").select("id").where("name", "=", name).executeTakeFirstOrThrow()).id;
      assert.ok((await idOf("S-New")) < (await idOf("S-Par\\New")));
      assert.ok((await idOf("L-New")) > (await idOf("L-Par\\New")));
      const setBased = await snapshot("S");
      assert.deepEqual(setBased, await snapshot("L"));
      assert.deepEqual(Object.keys(setBased), ["*New", "*New\\A", "*Par", "*Par\\New", "*Par\\Old", "*Top"]);
      assert.deepEqual(setBased["*Top"], {
        parent: undefined, balance: 9_000_000, pin: "*2x", disabled: 1, restricted: 0, notes: "", invoice_option: "USER_CHOICE_OFF", comment_option: "COMMENT_OPTIONAL",
        users: "", groups: "",
        ledger: [
          { amount: 5_000_000, balance_after: 5_000_000, kind: "set-balance", comment: "Balance set by batch shared account import" },
          { amount: -3_750_000, balance_after: 1_250_000, kind: "set-balance", comment: "Balance set by batch shared account import" },
          { amount: 7_750_000, balance_after: 9_000_000, kind: "set-balance", comment: "Balance set by batch shared account import" },
        ],
      });
      assert.deepEqual(
        (setBased["*New\\A"] as { ledger: Array<{ amount: number }> }).ledger.map((l) => l.amount),
        [2_000_000, 1_000_000],
      );
      assert.equal((setBased["*Par\\Old"] as { pin: string }).pin, "*1", "a PIN released earlier in the batch can be taken by a later line");
      assert.equal((setBased["*Par\\New"] as { users: string }).users, "sb-ann,sb-bob");
      assert.match((setBased["*New"] as { groups: string }).groups, /SB-Staff/);
    });

    it("updates of existing users applied together give exactly what their lines applied one by one give", async () => {
      // As for shared accounts: the "l" file has a line that fails when applied, so its batch goes line by
      // line; the clean "s" file is updated set-based (UsersService.updateUsers, counted through a spy).
      const app = t.server.app;
      const updateUsers = app.users.updateUsers.bind(app.users);
      let together = 0;
      app.users.updateUsers = async (trx, updates, actor) => {
        together += updates.length;
        return updateUsers(trx, updates, actor);
      };
      try {
        await run("api.batchImportUsers", file("owner.tsv", ["up-owner\t\t\t\t\t\t\tOWNED-1"]), true);
        const setup = (p: string) => [`${p}-u1\t10\tN\tOne\t\t\t\t${p}-C1`, `${p}-u2\t5\tY\tTwo\t\t\t\t${p}-C2\t1111`, `${p}-u3\t0`];
        const update = (p: string) => [
          `${p}-u1\t12.5\tY\tOne Changed\tone@example.edu\tDept\tOffice\t${p}-C1b\t2222\tnote\t${p}-S1\tx@example.edu\t${p}-alias1\t\\\\home\\one`,
          `${p}-u2\t5\tN`,
          `${p}-u3\t-3.25\t\t\t\t\t\t${p}-C3`,
          `${p}-ghost\t1`,
        ];
        await run("api.batchImportUsers", file("us1.tsv", [...setup("us"), ...setup("ul")]), true);
        together = 0;
        assert.match(summaryOf(await run("api.batchImportUsers", file("us2.tsv", update("us")), false)), /4 lines processed, 0 users created, 3 updated, 1 skipped \(unknown users\), 0 errors\.$/);
        assert.equal(together, 3, "the clean batch's updates were applied together");
        together = 0;
        const lineByLine = await run("api.batchImportUsers", file("ul2.tsv", [...update("ul"), "ul-u2\t\t\t\t\t\t\tOWNED-1"]), false);
        assert.match(lineByLine.message, / - Line 5: .*OWNED-1.*not unique/);
        assert.match(summaryOf(lineByLine), /5 lines processed, 0 users created, 3 updated, 1 skipped \(unknown users\), 1 errors\.$/);
        assert.equal(together, 0);
      } finally {
        app.users.updateUsers = updateUsers;
      }
      const db = t.server.app.db.kysely;
      const snapshot = async (p: string) => {
        const rows = await db
          .selectFrom("users")
          .innerJoin("accounts", (j) => j.onRef("accounts.user_id", "=", "users.id").on("accounts.sub_name", "=", "").on("accounts.account_type", "=", "personal"))
          .select([
            "users.username", "users.full_name", "users.email", "users.department", "users.office", "users.notes", "users.primary_card", "users.secondary_card",
            "users.other_emails", "users.username_alias", "users.home", "users.card_pin_hash", "accounts.id as account_id", "accounts.balance", "accounts.restricted",
          ])
          .where("users.username", "like", `${p}-%`)
          .where("users.deleted_at", "is", null)
          .orderBy("users.username")
          .execute();
        const out: Record<string, unknown> = {};
        for (const { username, account_id, card_pin_hash, ...row } of rows) {
          const ledger = await db.selectFrom("ledger").select(["amount", "balance_after", "kind", "comment"]).where("account_id", "=", account_id).orderBy("id").execute();
          assert.equal(row.balance, ledger.reduce((sum, l) => sum + l.amount, 0), `${username}: balance = sum of its ledger`);
          const strip = (v: string | null) => (v === null ? null : v.split(`${p}-`).join("*"));
          out[strip(username)!] = { ...row, primary_card: strip(row.primary_card), secondary_card: strip(row.secondary_card), username_alias: strip(row.username_alias), pin: card_pin_hash !== null, ledger };
        }
        return out;
      };
      const setBased = await snapshot("us");
      assert.deepEqual(setBased, await snapshot("ul"));
      assert.deepEqual(setBased["*u1"], {
        full_name: "One Changed", email: "one@example.edu", department: "Dept", office: "Office", notes: "note", primary_card: "*C1b", secondary_card: "*S1",
        other_emails: "x@example.edu", username_alias: "*alias1", home: "\\\\home\\one", balance: 12_500_000, restricted: 1, pin: true,
        ledger: [
          { amount: 10_000_000, balance_after: 10_000_000, kind: "set-balance", comment: "Balance set through the balance property" },
          { amount: 2_500_000, balance_after: 12_500_000, kind: "set-balance", comment: "Balance set through the balance property" },
        ],
      });
      assert.deepEqual((setBased["*u2"] as { ledger: unknown[]; restricted: number }).ledger.length, 1, "setting the same balance writes no ledger row");
      assert.equal((setBased["*u2"] as { restricted: number }).restricted, 0);
      assert.equal((setBased["*u3"] as { balance: number }).balance, -3_250_000);
    });
  });
}
