// Users over real HTTP and HTTPS on both backends: existence, internal users and their name rules,
// rename, delete (with and without redaction), lookups, listing and counting.
import assert from "node:assert/strict";
import { after, afterEach, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { assertFault, assertLedgerInvariant, clientFor, createUser, ledgerOfUser, TRANSPORTS, userIdOf } from "../support/fixtures.js";
import type { RpcClient } from "../support/rpc-client.js";
import { startTestServer, type TestServer } from "../support/server.js";

const codePointOrder = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

for (const backend of BACKENDS) {
  for (const transport of TRANSPORTS) {
    describe(`users (${backend}, ${transport})`, () => {
      let t: TestServer;
      let rpc: RpcClient;
      let n = 0;
      const fresh = async (fields = {}) => {
        const name = `u${String(++n).padStart(3, "0")}`;
        const id = await createUser(t, name, fields);
        return { name, id };
      };
      const liveUsernames = async () =>
        (await t.server.app.db.kysely.selectFrom("users").select("username").where("deleted_at", "is", null).execute()).map((r) => r.username).sort(codePointOrder);

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

      it("isUserExists is false for unknown names (never a fault) and exact about case", async () => {
        const u = await fresh();
        assert.equal(await rpc.call("api.isUserExists", u.name), true);
        assert.equal(await rpc.call("api.isUserExists", u.name.toUpperCase()), false);
        assert.equal(await rpc.call("api.isUserExists", "no-such-user"), false);
        assert.equal(await rpc.call("api.isUserExists", ""), false);
        assert.equal(await rpc.call("api.isUserExists", "x".repeat(5000)), false);
      });

      it("addNewInternalUser creates an internal user with its details, hashed password and card", async () => {
        assert.equal(await rpc.call("api.addNewInternalUser", "José Müller", "s3cret pw", "José Müller", "jose@example.org", `IC-${backend}-${transport}`, "1234"), true);
        assert.equal(await rpc.call("api.isUserExists", "José Müller"), true);
        assert.deepEqual(await rpc.call("api.getUserProperties", "José Müller", ["internal", "full-name", "email", "primary-card-number", "balance"]), [
          "true",
          "José Müller",
          "jose@example.org",
          `IC-${backend}-${transport}`,
          "0.0",
        ]);
        const row = await t.server.app.db.kysely.selectFrom("users").select(["password_hash", "card_pin_hash"]).where("username", "=", "José Müller").executeTakeFirstOrThrow();
        assert.match(row.password_hash ?? "", /^\$argon2id\$/);
        assert.ok(row.card_pin_hash && !row.card_pin_hash.includes("1234"));
      });

      it("addNewInternalUser applies only non-blank optional details, and accepts the 7th sendEmail argument", async () => {
        assert.equal(await rpc.call("api.addNewInternalUser", "minimal-user", "pw", "", "", "", ""), true);
        assert.deepEqual(await rpc.call("api.getUserProperties", "minimal-user", ["full-name", "email", "primary-card-number"]), ["", "", ""]);
        assert.equal(await rpc.call("api.addNewInternalUser", "seven-args", "pw", "Seven", "seven@example.org", "", "", false), true);
        assert.equal(await rpc.call("api.addNewInternalUser", "seven-args-true", "pw", "Seven", "", "", "", true), true);
        assert.equal(await rpc.call("api.isUserExists", "seven-args-true"), true);
      });

      it("addNewInternalUser refuses names with /, \\, @, control characters, blanks or surrounding spaces", async () => {
        for (const bad of ["a/b", "a\\b", "a@example.org", "tab\there", "", "   ", " lead", "trail ", "x".repeat(256)]) {
          await assertFault(rpc.call("api.addNewInternalUser", bad, "pw", "", "", "", ""), 0, /^java\.lang\.IllegalArgumentException: .*(username|Username)/);
          assert.equal(await rpc.call("api.isUserExists", bad), false);
        }
      });

      it("addNewInternalUser refuses a taken name, a taken card and an empty password", async () => {
        const u = await fresh({ primary_card: `taken-${backend}-${transport}` });
        await assertFault(rpc.call("api.addNewInternalUser", u.name, "pw", "", "", "", ""), 0, new RegExp(`^java\\.lang\\.IllegalStateException: A user named ${u.name} already exists\\.$`));
        await assertFault(
          rpc.call("api.addNewInternalUser", "card-clash", "pw", "", "", `taken-${backend}-${transport}`, ""),
          0,
          /Tried to set card number taken-\S+, but number is not unique\./,
        );
        await assertFault(rpc.call("api.addNewInternalUser", "no-password", "", "", "", "", ""), 0, /needs a password/);
        assert.equal(await rpc.call("api.isUserExists", "card-clash"), false);
        assert.equal(await rpc.call("api.isUserExists", "no-password"), false);
      });

      it("renameUserAccount keeps balance, history and settings under the new name", async () => {
        const u = await fresh({ department: "Art" });
        await rpc.call("api.adjustUserAccountBalance", u.name, { double: 4.2 }, "before rename");
        const ledgerBefore = await ledgerOfUser(t, u.id);
        assert.equal(await rpc.call("api.renameUserAccount", u.name, `${u.name}-renamed`), true);
        assert.equal(await rpc.call("api.isUserExists", u.name), false);
        assert.equal(await rpc.call("api.isUserExists", `${u.name}-renamed`), true);
        assert.equal(await rpc.call("api.getUserAccountBalance", `${u.name}-renamed`), 4.2);
        assert.equal(await rpc.call("api.getUserProperty", `${u.name}-renamed`, "department"), "Art");
        assert.equal(await userIdOf(t, `${u.name}-renamed`), u.id);
        assert.deepEqual(await ledgerOfUser(t, u.id), ledgerBefore);
        await rpc.call("api.adjustUserAccountBalance", `${u.name}-renamed`, { double: 0.8 }, "after rename");
        assert.equal(await rpc.call("api.getUserAccountBalance", `${u.name}-renamed`), 5);
      });

      it("renameUserAccount faults for an unknown user, a taken or empty new name; renaming to the same name is a no-op", async () => {
        const a = await fresh();
        const b = await fresh();
        await assertFault(rpc.call("api.renameUserAccount", "ghost", "ghost2"), 0, /The user with name ghost could not be found\./);
        await assertFault(rpc.call("api.renameUserAccount", a.name, b.name), 0, new RegExp(`IllegalStateException: Cannot rename ${a.name}: a user named ${b.name} already exists\\.`));
        await assertFault(rpc.call("api.renameUserAccount", a.name, " "), 0, /must not be empty/);
        assert.equal(await rpc.call("api.renameUserAccount", a.name, a.name), true);
        assert.equal(await rpc.call("api.isUserExists", a.name), true);
      });

      it("deleteExistingUser removes the user but keeps the ledger, comments included; the name and card become free", async () => {
        const u = await fresh({ primary_card: `del-${backend}-${transport}`, email: "gone@example.org" });
        await rpc.call("api.adjustUserAccountBalance", u.name, { double: 3 }, "top up by Jane");
        await rpc.call("api.adjustUserAccountBalance", u.name, { double: -1.25 }, "print job");
        const total = await rpc.call("api.getTotalUsers");
        assert.equal(await rpc.call("api.deleteExistingUser", u.name), true);
        assert.equal(await rpc.call("api.isUserExists", u.name), false);
        assert.equal(await rpc.call("api.getTotalUsers"), (total as number) - 1);
        assert.ok(!(await rpc.call<string[]>("api.listUserAccounts", 0, 2147483647)).includes(u.name));
        assert.equal(await rpc.call("api.lookUpUserNameByCardNo", `del-${backend}-${transport}`), "");
        assert.equal(await rpc.call("api.lookUpUserNameByEmail", "gone@example.org"), "");
        await assertFault(rpc.call("api.getUserAccountBalance", u.name), 0, /could not be found/);
        const rows = await ledgerOfUser(t, u.id);
        assert.deepEqual(
          rows.map((r) => [Number(r.amount), r.comment, r.created_by]),
          [
            [3_000_000, "top up by Jane", "tests"],
            [-1_250_000, "print job", "tests"],
          ],
        );
        // The name and card can be used again; the new user starts afresh.
        const again = await createUser(t, u.name, { primary_card: `del-${backend}-${transport}` });
        assert.notEqual(again, u.id);
        assert.equal(await rpc.call("api.getUserAccountBalance", u.name), 0);
        assert.equal(await rpc.call("api.lookUpUserNameByCardNo", `del-${backend}-${transport}`), u.name);
      });

      it("deleteExistingUser with redactUserData replaces identifying data in history but keeps amounts", async () => {
        const u = await fresh({ full_name: "Private Person", email: "private@example.org", primary_card: `red-${backend}-${transport}` });
        await rpc.call("api.adjustUserAccountBalance", u.name, { double: 10 }, "paid by Private Person");
        await rpc.call("api.adjustUserAccountBalance", u.name, { double: -2.5 }, "job secret.pdf");
        assert.equal(await rpc.call("api.deleteExistingUser", u.name, true), true);
        assert.equal(await rpc.call("api.isUserExists", u.name), false);
        const rows = await ledgerOfUser(t, u.id);
        assert.deepEqual(
          rows.map((r) => [Number(r.amount), Number(r.balance_after), r.comment, r.created_by]),
          [
            [10_000_000, 10_000_000, "[redacted]", "[redacted]"],
            [-2_500_000, 7_500_000, "[redacted]", "[redacted]"],
          ],
        );
        const row = await t.server.app.db.kysely.selectFrom("users").selectAll().where("id", "=", u.id).executeTakeFirstOrThrow();
        assert.equal(row.username, `[redacted-${u.id}]`);
        const text = JSON.stringify(row);
        for (const secret of [u.name, "Private Person", "private@example.org", `red-${backend}-${transport}`]) assert.ok(!text.includes(secret), secret);
        const account = await t.server.app.db.kysely.selectFrom("accounts").select("balance").where("user_id", "=", u.id).executeTakeFirstOrThrow();
        assert.equal(Number(account.balance), 7_500_000);
      });

      it("deleteExistingUser with redactUserData false is a plain delete, and an unknown user faults", async () => {
        const u = await fresh();
        await rpc.call("api.adjustUserAccountBalance", u.name, { double: 1 }, "kept comment");
        assert.equal(await rpc.call("api.deleteExistingUser", u.name, false), true);
        assert.deepEqual(
          (await ledgerOfUser(t, u.id)).map((r) => r.comment),
          ["kept comment"],
        );
        await assertFault(rpc.call("api.deleteExistingUser", u.name), 0, /could not be found/);
        await assertFault(rpc.call("api.deleteExistingUser", "ghost", true), 0, /The user with name ghost could not be found\./);
      });

      it("lookUpUserNameByCardNo and lookUpUserNameByIDNo find primary and secondary numbers; no match is an empty string", async () => {
        const tag = `${backend}-${transport}`;
        const u = await fresh({ primary_card: `LC1-${tag}`, secondary_card: `LC2-${tag}` });
        for (const method of ["api.lookUpUserNameByCardNo", "api.lookUpUserNameByIDNo"]) {
          assert.equal(await rpc.call(method, `LC1-${tag}`), u.name);
          assert.equal(await rpc.call(method, ` LC2-${tag} `), u.name);
          assert.equal(await rpc.call(method, `lc1-${tag}`), "", "card numbers are exact");
          assert.equal(await rpc.call(method, "unknown"), "");
          assert.equal(await rpc.call(method, ""), "");
        }
      });

      it("lookUpUserNameByEmail ignores case", async () => {
        const u = await fresh({ email: `Mixed.Case-${backend}-${transport}@Example.ORG` });
        assert.equal(await rpc.call("api.lookUpUserNameByEmail", `mixed.case-${backend}-${transport}@example.org`), u.name);
        assert.equal(await rpc.call("api.lookUpUserNameByEmail", `MIXED.CASE-${backend}-${transport}@EXAMPLE.ORG`), u.name);
        assert.equal(await rpc.call("api.lookUpUserNameByEmail", "nobody@example.org"), "");
        assert.equal(await rpc.call("api.lookUpUserNameByEmail", ""), "");
      });

      it("lookUpUserNameBySecondaryUserName resolves username-alias", async () => {
        const u = await fresh();
        await rpc.call("api.setUserProperty", u.name, "username-alias", `alias-${u.name}`);
        assert.equal(await rpc.call("api.lookUpUserNameBySecondaryUserName", `alias-${u.name}`), u.name);
        assert.equal(await rpc.call("api.lookUpUserNameBySecondaryUserName", u.name), "");
        assert.equal(await rpc.call("api.lookUpUserNameBySecondaryUserName", ""), "");
      });

      it("lookUpUsersByFullName returns every exact match, sorted", async () => {
        const full = `Sam Same ${backend} ${transport}`;
        const b = await fresh({ full_name: full });
        const a = await fresh({ full_name: full });
        await fresh({ full_name: `${full} Jr` });
        assert.deepEqual(await rpc.call("api.lookUpUsersByFullName", full), [b.name, a.name].sort(codePointOrder));
        assert.deepEqual(await rpc.call("api.lookUpUsersByFullName", "No Such Name"), []);
        assert.deepEqual(await rpc.call("api.lookUpUsersByFullName", ""), []);
      });

      it("listUserAccounts sorts by name (code point order) and pages by offset and limit", async () => {
        for (const name of ["Zed", "alpha", "Alpha", "beta", "ábc", "_under", "0zero"]) await createUser(t, `list-${name}`);
        const all = await liveUsernames();
        assert.deepEqual(await rpc.call("api.listUserAccounts", 0, 2147483647), all);
        assert.deepEqual(await rpc.call("api.listUserAccounts", 0, 3), all.slice(0, 3));
        assert.deepEqual(await rpc.call("api.listUserAccounts", 3, 4), all.slice(3, 7));
        assert.deepEqual(await rpc.call("api.listUserAccounts", all.length - 1, 10), all.slice(-1));
        assert.deepEqual(await rpc.call("api.listUserAccounts", all.length, 10), []);
        assert.deepEqual(await rpc.call("api.listUserAccounts", 2147483647, 2147483647), []);
        assert.deepEqual(await rpc.call("api.listUserAccounts", 0, 0), []);
        // The paging loop of PaperCut's example scripts sees every user exactly once.
        const seen: string[] = [];
        for (let offset = 0, i = 0; i < 1000; i++, offset += 4) {
          const page = await rpc.call<string[]>("api.listUserAccounts", offset, 4);
          seen.push(...page);
          if (page.length < 4) break;
        }
        assert.deepEqual(seen, all);
      });

      it("listUserAccounts refuses a negative offset or limit", async () => {
        await assertFault(rpc.call("api.listUserAccounts", -1, 10), 0, /offset must be zero or more/);
        await assertFault(rpc.call("api.listUserAccounts", 0, -5), 0, /limit must be zero or more/);
      });

      it("getTotalUsers counts live users", async () => {
        const before = await rpc.call<number>("api.getTotalUsers");
        assert.equal(before, (await liveUsernames()).length);
        const u = await fresh();
        assert.equal(await rpc.call("api.getTotalUsers"), before + 1);
        await rpc.call("api.deleteExistingUser", u.name);
        assert.equal(await rpc.call("api.getTotalUsers"), before);
      });
    });
  }
}
