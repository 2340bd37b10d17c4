import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Client } from "ldapts";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { fixtureLdif, LDAP_ADMIN_DN, LDAP_ADMIN_PASSWORD, LDAP_SUFFIX, startSlapd, type Slapd } from "../support/slapd.js";
import { summaryOf, waitForTask } from "../support/tasks.js";

const LDAP_USERS = 200;

/** A custom sync program in the protocol of PaperCut's examples, serving users listed in a TSV file. */
function writeCustomProgram(dir: string, usersFile: string, labMembers = ["amira", "ben"]): string {
  const path = join(dir, "custom-sync.sh");
  writeFileSync(
    path,
    `#!/bin/sh
# $1 is PaperCut's "-" placeholder; $2 the command.
case "$2" in
  is-valid) echo Y; echo "fixture program" ;;
  all-users) cat "${usersFile}" ;;
  all-groups) echo lab ;;
  group-member-names) if [ "$3" = lab ]; then ${labMembers.map((m) => `echo ${m};`).join(" ")} fi ;;
  get-user-details) read u; grep "^$u	" "${usersFile}" || true ;;
  *) echo "unknown command $2" >&2; exit 1 ;;
esac
`,
  );
  chmodSync(path, 0o755);
  return path;
}

for (const backend of BACKENDS) {
  describe(`user directory sync (${backend})`, () => {
    let t: TestServer;
    let slapd: Slapd;
    let dir: string;
    const set = (key: string, value: string) => t.rpc.call("api.setConfigValue", key, value);
    const sync = async (method: string, ...args: boolean[]) => {
      assert.equal(await t.rpc.call(method, ...args), true);
      return waitForTask(t.rpc, 60_000);
    };
    const members = async (group: string) =>
      (
        await t.server.app.db.kysely
          .selectFrom("group_members")
          .innerJoin("groups", "groups.id", "group_members.group_id")
          .innerJoin("users", "users.id", "group_members.user_id")
          .select("users.username")
          .where("groups.name", "=", group)
          .orderBy("users.username")
          .execute()
      ).map((r) => r.username);

    before(async () => {
      t = await startTestServer(backend);
      dir = mkdtempSync(join(tmpdir(), "quire-directory-"));
      slapd = await startSlapd(fixtureLdif(LDAP_USERS));
    });
    after(async () => {
      slapd?.stop();
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("without a configured directory, a sync faults before starting", async () => {
      const fault = await t.rpc.fault("api.performUserAndGroupSync");
      assert.match(fault.faultString, /No user directory is configured: set user-source.type/);
    });

    it("syncs users, details and nested group memberships from LDAP (slapd)", async () => {
      await set("user-source.type", "ldap");
      await set("ldap.server", slapd.url);
      await set("ldap.bind-dn", LDAP_ADMIN_DN);
      await set("ldap.bind-password", LDAP_ADMIN_PASSWORD);
      await set("ldap.base-dn", `ou=people,${LDAP_SUFFIX};ou=groups,${LDAP_SUFFIX}`);
      await set("user-source.sync.create-groups", "Y");
      const status = await sync("api.performUserAndGroupSync");
      assert.match(status.message, /The directory lists 200 users\./);
      assert.match(summaryOf(status), /Sync complete: 200 users added, 0 updated, 0 deleted, 3 groups synced \(\d+ membership changes\), 0 errors\.$/);
      assert.equal(await t.rpc.call("api.getTotalUsers"), LDAP_USERS);
      assert.deepEqual(await t.rpc.call("api.getUserProperties", "person7", ["full-name", "email", "department", "office", "primary-card-number"]), [
        "Person Number 7", "person7@example.org", "Dept 2", "Room 7", "EMP7",
      ]);
      assert.equal((await members("science")).length, 10);
      assert.equal((await members("teachers")).length, 30, "teachers includes the nested science group");
      assert.equal((await members("staff")).length, 50, "staff includes teachers and, through it, science");
      assert.ok((await members("staff")).includes("person3"));
    });

    it("removes users only when the advanced flag asks, and only those gone from the directory", async () => {
      const client = new Client({ url: slapd.url });
      await client.bind(LDAP_ADMIN_DN, LDAP_ADMIN_PASSWORD);
      for (const i of [197, 198, 199]) await client.del(`uid=person${i},ou=people,${LDAP_SUFFIX}`);
      await client.unbind();
      const plain = await sync("api.performUserAndGroupSync");
      assert.match(summaryOf(plain), /0 users added, 197 updated, 0 deleted/);
      assert.equal(await t.rpc.call("api.isUserExists", "person199"), true);
      const advanced = await sync("api.performUserAndGroupSyncAdvanced", true, false);
      assert.match(summaryOf(advanced), /0 users added, 0 updated, 3 deleted/);
      assert.equal(await t.rpc.call("api.isUserExists", "person199"), false);
      assert.equal(await t.rpc.call("api.isUserExists", "person196"), true);
    });

    it("an unreachable directory changes nothing", async () => {
      await set("ldap.server", "ldap://127.0.0.1:1");
      const status = await sync("api.performUserAndGroupSyncAdvanced", true, true);
      assert.match(summaryOf(status), /Failed: The LDAP directory ldap:\/\/127\.0\.0\.1:1 could not be read/);
      assert.equal(await t.rpc.call("api.getTotalUsers"), LDAP_USERS - 3);
      await set("ldap.server", slapd.url);
    });

    it("a directory that returns no users never deletes anyone, and a sync deleting too many stops", async () => {
      const usersFile = join(dir, "users.tsv");
      writeFileSync(usersFile, "");
      await set("user-source.type", "file");
      await set("user-source.file.users", usersFile);
      const empty = await sync("api.performUserAndGroupSyncAdvanced", true, true);
      assert.match(summaryOf(empty), /Stopped: the directory \(file .*\) returned no users, so nothing was changed\.$/);
      writeFileSync(usersFile, "person1\tOne\n");
      const tooMany = await sync("api.performUserAndGroupSyncAdvanced", true, true);
      assert.match(summaryOf(tooMany), /Stopped: the sync would delete 196 of 197 directory users, more than user-source.sync.max-delete-percent \(10%\) allows; nothing was changed\.$/);
      assert.equal(await t.rpc.call("api.getTotalUsers"), LDAP_USERS - 3);
    });

    it("syncs from PaperCut's custom sync program protocol and adds single users on demand", async () => {
      const usersFile = join(dir, "custom-users.tsv");
      writeFileSync(usersFile, "amira\tAmira Haddad\tamira@example.edu\tHistory\tRoom 14\t55120\t\t\t\t/home/amira\t8402\nben\tBen Ode\t\nchloe\tChloe\n");
      await set("user-source.type", "custom");
      await set("user-source.custom-program", writeCustomProgram(dir, usersFile));
      await set("user-source.sync.create-groups", "N");
      assert.equal(await t.rpc.call("api.addNewUser", "chloe"), true);
      assert.equal(await t.rpc.call("api.isUserExists", "chloe"), true);
      const fault = await t.rpc.fault("api.addNewUser", "nobody");
      assert.match(fault.faultString, /The user nobody does not exist in the user directory \(custom program/);
      assert.equal(await t.rpc.call("api.addNewGroup", "lab"), true);
      await t.server.app.groups.setInitialUserSettings("lab", {
        balance: 7_000_000,
        restricted: true,
        overdraft: 0,
        accountSelectionMode: "AUTO_CHARGE_TO_PERSONAL_ACCOUNT",
        canChargePersonal: true,
        canChargeSharedFromList: false,
        canChargeSharedByPin: false,
      });
      const status = await sync("api.addNewUsers");
      assert.match(summaryOf(status), /Sync complete: 2 users added, 0 updated, 0 deleted, 4 groups synced/);
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "amira"), 7, "new users join their groups before the groups' initial settings apply");
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "chloe"), 0);
      assert.deepEqual(await t.rpc.call("api.getUserProperties", "amira", ["full-name", "department", "primary-card-number", "home"]), ["Amira Haddad", "History", "55120", "/home/amira"]);
      const groups = await sync("api.performGroupSync");
      assert.match(summaryOf(groups), /0 users added, 0 updated, 0 deleted, 4 groups synced/);
      assert.deepEqual(await members("lab"), ["amira", "ben"]);

      // api.syncGroup re-reads one group at once: a membership added here is overwritten by the directory.
      await t.rpc.call("api.addUserToGroup", "chloe", "lab");
      assert.deepEqual(await members("lab"), ["amira", "ben", "chloe"]);
      assert.equal(await t.rpc.call("api.syncGroup", "lab"), true);
      assert.deepEqual(await members("lab"), ["amira", "ben"]);
      assert.match((await t.rpc.fault("api.syncGroup", "no-such-group")).faultString, /no-such-group/);
      assert.match((await t.rpc.fault("api.syncGroup", "!!All Users!!")).faultString, /built-in group/);
    });

    it("new users of one batch get their own groups' initial settings, and a failing user changes nothing", async () => {
      // Continues from the custom program test: lab gives new members 7.00 of initial credit.
      const usersFile = join(dir, "custom-users-2.tsv");
      writeFileSync(usersFile, "amira\tAmira Haddad\nfay\tFay Lin\t\t\t\tF-1\ngus\tGus Moss\n");
      await set("user-source.custom-program", writeCustomProgram(dir, usersFile, ["amira", "ben", "fay"]));
      const status = await sync("api.addNewUsers");
      assert.match(summaryOf(status), /Sync complete: 2 users added, 0 updated, 0 deleted, 4 groups synced.*0 errors\.$/);
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "fay"), 7);
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "gus"), 0);
      assert.deepEqual(await t.rpc.call("api.getUserProperties", "fay", ["full-name", "primary-card-number", "restricted"]), ["Fay Lin", "F-1", "true"]);
      assert.deepEqual(await t.rpc.call("api.getUserProperties", "gus", ["full-name", "restricted"]), ["Gus Moss", "false"]);
      assert.deepEqual(await members("lab"), ["amira", "ben", "fay"]);

      // hal takes a card number fay already has: hal is reported and not created, ivy is added.
      writeFileSync(usersFile, "hal\tHal Nye\t\t\t\tF-1\nivy\tIvy Park\n");
      await set("user-source.custom-program", writeCustomProgram(dir, usersFile, ["hal", "ivy"]));
      const failing = await sync("api.addNewUsers");
      assert.match(failing.message, / - Line 1: user hal: .*F-1.*not unique/);
      assert.match(summaryOf(failing), /Sync complete: 1 users added, 0 updated, 0 deleted, 4 groups synced.*1 errors\.$/);
      assert.equal(await t.rpc.call("api.isUserExists", "hal"), false);
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "ivy"), 7);
      assert.deepEqual(await members("lab"), ["ivy"]);
    });

    it("syncs the machine's own Unix users through getent", async () => {
      await set("user-source.type", "unix");
      const status = await sync("api.addNewUsers");
      assert.match(summaryOf(status), /Sync complete: \d+ users added/);
      assert.equal(await t.rpc.call("api.isUserExists", "root"), true);
    });
  });
}
