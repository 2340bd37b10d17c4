import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ManualClock } from "../../src/kernel/clock.js";
import { startServer, type RunningServer } from "../../src/server/start.js";
import { BACKENDS, createPostgresDatabase } from "../support/backends.js";
import { RpcClient } from "../support/rpc-client.js";
import { startTestServer, TEST_TOKEN, type TestServer } from "../support/server.js";

async function balances(t: TestServer, names: string[]): Promise<number[]> {
  return Promise.all(names.map((n) => t.rpc.call<number>("api.getUserAccountBalance", n)));
}

async function ledgerRows(t: TestServer, kind?: string): Promise<number> {
  let q = t.server.app.db.kysely.selectFrom("ledger").select((eb) => eb.fn.countAll<number>().as("n"));
  if (kind) q = q.where("kind", "=", kind);
  return Number((await q.executeTakeFirstOrThrow()).n);
}

async function assertLedgerMatches(t: TestServer | RunningServer): Promise<void> {
  const db = ("server" in t ? t.server : t).app.db.kysely;
  const rows = await db
    .selectFrom("accounts")
    .select((eb) => ["id", "balance", eb.selectFrom("ledger").select((e2) => e2.fn.coalesce(e2.fn.sum<number>("amount"), e2.val(0)).as("s")).whereRef("ledger.account_id", "=", "accounts.id").as("total")])
    .execute();
  for (const r of rows) assert.equal(Number(r.total), r.balance, `account ${r.id}`);
}

for (const backend of BACKENDS) {
  describe(`groups (${backend})`, () => {
    let t: TestServer;
    const users = ["u1", "u2", "u3", "u4", "outsider"];
    before(async () => {
      t = await startTestServer(backend);
      for (const name of users) await t.rpc.call("api.addNewInternalUser", name, "pw", "", "", "", "");
    });
    after(async () => {
      await t?.close();
    });

    it("addNewGroup, isGroupExists, duplicates and removeGroup under both spellings", async () => {
      assert.equal(await t.rpc.call("api.isGroupExists", "Staff"), false);
      assert.equal(await t.rpc.call("api.addNewGroup", "Staff"), true);
      assert.equal(await t.rpc.call("api.isGroupExists", "Staff"), true);
      assert.match((await t.rpc.fault("api.addNewGroup", "Staff")).faultString, /IllegalStateException: The group Staff already exists\./);
      await t.rpc.call("api.addNewGroup", "Temp1");
      await t.rpc.call("api.addNewGroup", "Temp2");
      assert.equal(await t.rpc.call("api.removeGroup", "Temp1"), true);
      assert.equal(await t.rpc.call("api.RemoveGroup", "Temp2"), true);
      assert.equal(await t.rpc.call("api.isGroupExists", "Temp1"), false);
      assert.match((await t.rpc.fault("api.removeGroup", "Temp1")).faultString, /The group Temp1 does not exist\./);
      assert.match((await t.rpc.fault("api.removeGroup", "!!All Users!!")).faultString, /cannot be removed/);
      assert.equal(await t.rpc.call("api.isGroupExists", "!!All Users!!"), true);
    });

    it("removeGroup takes the group's memberships, grants and quota with it; the users stay", async () => {
      await t.rpc.call("api.addNewGroup", "Gone");
      await t.rpc.call("api.addUserToGroup", "u4", "Gone");
      await t.rpc.call("api.addNewSharedAccount", "GoneAccount");
      await t.rpc.call("api.addSharedAccountAccessGroup", "GoneAccount", "Gone");
      await t.rpc.call("api.addAdminAccessGroup", "Gone");
      await t.rpc.call("api.setGroupQuota", "Gone", { double: 1 }, "DAILY");
      assert.equal(await t.rpc.call("api.removeGroup", "Gone"), true);
      assert.equal(await t.rpc.call("api.isGroupExists", "Gone"), false);
      assert.deepEqual(await t.rpc.call("api.getUserGroups", "u4"), []);
      assert.equal(await t.rpc.call("api.getSharedAccountProperty", "GoneAccount", "access-groups"), "");
      assert.equal(await t.server.app.adminAccess.isAdmin("u4"), false);
      assert.equal(await t.rpc.call("api.isUserExists", "u4"), true);
      // The name can be used again, starting clean.
      await t.rpc.call("api.addNewGroup", "Gone");
      assert.deepEqual(await t.rpc.call("api.getGroupQuota", "Gone"), { QuotaAmount: 0, QuotaPeriod: "NONE", QuotaMaxAccumulation: 0 });
      assert.deepEqual(await t.rpc.call("api.getGroupMembers", "Gone"), []);
      await t.rpc.call("api.removeGroup", "Gone");
    });

    it("memberships: add, remove, list sorted and paged; unknown user or group faults", async () => {
      for (const u of ["u3", "u1", "u2"]) assert.equal(await t.rpc.call("api.addUserToGroup", u, "Staff"), true);
      assert.equal(await t.rpc.call("api.addUserToGroup", "u1", "Staff"), true);
      assert.deepEqual(await t.rpc.call("api.getGroupMembers", "Staff", 0, 10), ["u1", "u2", "u3"]);
      assert.deepEqual(await t.rpc.call("api.getGroupMembers", "Staff", 1, 1), ["u2"]);
      assert.deepEqual(await t.rpc.call("api.getGroupMembers", "Staff"), ["u1", "u2", "u3"]);
      assert.deepEqual(await t.rpc.call("api.getGroupMembers", "!!All Users!!", 0, 100), ["outsider", "u1", "u2", "u3", "u4"]);
      assert.deepEqual(await t.rpc.call("api.getUserGroups", "u1"), ["Staff"]);
      assert.deepEqual(await t.server.app.groups.usernamesInGroup("Staff"), ["u1", "u2", "u3"]);
      assert.deepEqual(await t.server.app.groups.usernamesInGroup("[Internal Users]"), ["outsider", "u1", "u2", "u3", "u4"]);
      assert.deepEqual(await t.rpc.call("api.listUserGroups", 0, 100), ["!!All Users!!", "!!Internal Users!!", "Staff"]);
      assert.deepEqual(await t.rpc.call("api.listUserGroups", 2, 5), ["Staff"]);
      assert.equal(await t.rpc.call("api.removeUserFromGroup", "u3", "Staff"), true);
      assert.deepEqual(await t.rpc.call("api.getGroupMembers", "Staff", 0, 10), ["u1", "u2"]);
      assert.match((await t.rpc.fault("api.addUserToGroup", "ghost", "Staff")).faultString, /The user with name ghost could not be found\./);
      assert.match((await t.rpc.fault("api.addUserToGroup", "u1", "Ghosts")).faultString, /The group Ghosts does not exist\./);
      assert.match((await t.rpc.fault("api.removeUserFromGroup", "u1", "Ghosts")).faultString, /does not exist/);
      assert.match((await t.rpc.fault("api.getGroupMembers", "Ghosts", 0, 10)).faultString, /does not exist/);
      assert.match((await t.rpc.fault("api.getUserGroups", "ghost")).faultString, /could not be found/);
      assert.match((await t.rpc.fault("api.addUserToGroup", "u1", "!!All Users!!")).faultString, /computed/);
    });

    it("adjustUserAccountBalanceByGroup touches exactly the members, one transaction row each", async () => {
      const rows = await ledgerRows(t);
      assert.equal(await t.rpc.call("api.adjustUserAccountBalanceByGroup", "Staff", { double: 5.25 }, "term grant"), true);
      assert.deepEqual(await balances(t, ["u1", "u2", "u3", "u4", "outsider"]), [5.25, 5.25, 0, 0, 0]);
      assert.equal(await ledgerRows(t), rows + 2);
      const last = await t.server.app.db.kysely.selectFrom("ledger").selectAll().orderBy("id", "desc").limit(1).executeTakeFirstOrThrow();
      assert.equal(last.comment, "term grant");
      assert.equal(last.balance_after, 5_250_000);
      assert.match((await t.rpc.fault("api.adjustUserAccountBalanceByGroup", "Ghosts", { double: 1 }, "x")).faultString, /does not exist/);
      await assertLedgerMatches(t);
    });

    it("adjustUserAccountBalanceByGroupUpTo never raises above the limit and never lowers a member above it", async () => {
      await t.rpc.call("api.addUserToGroup", "u3", "Staff");
      await t.rpc.call("api.setUserAccountBalance", "u2", { double: 9 }, "");
      await t.rpc.call("api.setUserAccountBalance", "u3", { double: 20 }, "");
      // u1 5.25 → 8.25; u2 9 → 10 (capped); u3 20 stays.
      assert.equal(await t.rpc.call("api.adjustUserAccountBalanceByGroupUpTo", "Staff", { double: 3 }, { double: 10 }, "top up"), true);
      assert.deepEqual(await balances(t, ["u1", "u2", "u3", "u4"]), [8.25, 10, 20, 0]);
      const rows = await ledgerRows(t);
      assert.equal(await t.rpc.call("api.adjustUserAccountBalanceByGroupUpTo", "Staff", { double: 3 }, { double: 10 }, "again"), true);
      assert.deepEqual(await balances(t, ["u1", "u2", "u3"]), [10, 10, 20]);
      assert.equal(await ledgerRows(t), rows + 1, "only the member that changed gets a row");
      await assertLedgerMatches(t);
    });

    it("setUserAccountBalanceByGroup sets every member, and named personal accounts are created where missing", async () => {
      assert.equal(await t.rpc.call("api.setUserAccountBalanceByGroup", "Staff", { double: 1.5 }, "reset"), true);
      assert.deepEqual(await balances(t, ["u1", "u2", "u3", "u4"]), [1.5, 1.5, 1.5, 0]);
      await t.rpc.call("api.setUserProperty", "u1", "restricted", "true");
      assert.equal(await t.rpc.call("api.adjustUserAccountBalanceByGroup", "Staff", { double: 2 }, "print fund", "Printing"), true);
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "u2", "Printing"), 2);
      const named = await t.server.app.db.kysely
        .selectFrom("accounts")
        .innerJoin("users", "users.id", "accounts.user_id")
        .select(["users.username", "accounts.restricted"])
        .where("accounts.sub_name", "=", "Printing")
        .orderBy("users.username")
        .execute();
      assert.deepEqual(named, [
        { username: "u1", restricted: 1 },
        { username: "u2", restricted: 0 },
        { username: "u3", restricted: 0 },
      ]);
      await t.rpc.call("api.setUserProperty", "u1", "restricted", "false");
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "u2"), 3.5);
      assert.match((await t.rpc.fault("api.setUserAccountBalanceByGroup", "Ghosts", { double: 1 }, "x")).faultString, /does not exist/);
      await assertLedgerMatches(t);
    });

    it("concurrent group and single-user adjustments keep every balance equal to its ledger, row by row", async () => {
      const before = await balances(t, ["u1", "u2", "u3"]);
      const calls: Array<Promise<unknown>> = [];
      for (let i = 0; i < 6; i++) {
        calls.push(t.rpc.call("api.adjustUserAccountBalanceByGroup", "Staff", { double: 1 }, `group ${i}`));
        calls.push(t.rpc.call("api.adjustUserAccountBalanceByGroupUpTo", "Staff", { double: 0.5 }, { double: 1000 }, `up to ${i}`));
        calls.push(t.rpc.call("api.adjustUserAccountBalance", "u2", { double: -0.25 }, `single ${i}`));
      }
      await Promise.all(calls);
      const afterBalances = await balances(t, ["u1", "u2", "u3"]);
      assert.deepEqual(afterBalances, [before[0] + 9, before[1] + 9 - 1.5, before[2] + 9]);
      await assertLedgerMatches(t);
      const rows = await t.server.app.db.kysely.selectFrom("ledger").select(["account_id", "amount", "balance_after"]).orderBy("id").execute();
      const running = new Map<number, number>();
      for (const r of rows) {
        const next = (running.get(r.account_id) ?? 0) + r.amount;
        assert.equal(r.balance_after, next, `ledger chain of account ${r.account_id}`);
        running.set(r.account_id, next);
      }
    });

    it("setGroupQuota / getGroupQuota, with the three-parameter form and custom dates", async () => {
      assert.equal(await t.rpc.call("api.setGroupQuota", "Staff", { double: 10 }, "weekly", { double: 50 }), true);
      assert.deepEqual(await t.rpc.call("api.getGroupQuota", "Staff"), { QuotaAmount: 10, QuotaPeriod: "WEEKLY", QuotaMaxAccumulation: 50 });
      assert.equal(await t.rpc.call("api.setGroupQuota", "Staff", { double: 2.5 }, "2030-03-15, *-08-01,*-*-01"), true);
      assert.deepEqual(await t.rpc.call("api.getGroupQuota", "Staff"), { QuotaAmount: 2.5, QuotaPeriod: "CUSTOM", QuotaMaxAccumulation: 0 });
      assert.match((await t.rpc.fault("api.setGroupQuota", "Staff", { double: 1 }, "FORTNIGHTLY")).faultString, /not valid/);
      assert.match((await t.rpc.fault("api.setGroupQuota", "Staff", { double: 1 }, "2030-02-30")).faultString, /does not exist/);
      assert.match((await t.rpc.fault("api.setGroupQuota", "Ghosts", { double: 1 }, "DAILY")).faultString, /The group Ghosts does not exist/);
      assert.match((await t.rpc.fault("api.getGroupQuota", "Ghosts")).faultString, /does not exist/);
      assert.equal(await t.rpc.call("api.setGroupQuota", "Staff", { double: 0 }, "NONE", { double: 0 }), true);
      assert.deepEqual(await t.rpc.call("api.getGroupQuota", "Staff"), { QuotaAmount: 0, QuotaPeriod: "NONE", QuotaMaxAccumulation: 0 });
    });

    it("admin access: grant and revoke for users and groups; isAdmin sees both", async () => {
      const admin = t.server.app.adminAccess;
      assert.equal(await admin.isAdmin("u4"), false);
      assert.equal(await t.rpc.call("api.addAdminAccessUser", "u4"), true);
      assert.equal(await t.rpc.call("api.addAdminAccessUser", "u4"), true);
      assert.equal(await admin.isAdmin("u4"), true);
      assert.equal(await t.rpc.call("api.removeAdminAccessUser", "u4"), true);
      assert.equal(await admin.isAdmin("u4"), false);
      assert.equal(await t.rpc.call("api.addAdminAccessGroup", "Staff"), true);
      assert.equal(await admin.isAdmin("u1"), true);
      assert.equal(await admin.isAdmin("u4"), false);
      assert.deepEqual(await admin.adminGroupNames(), ["Staff"]);
      assert.equal(await t.rpc.call("api.removeAdminAccessGroup", "Staff"), true);
      assert.equal(await admin.isAdmin("u1"), false);
      assert.equal(await t.rpc.call("api.addAdminAccessGroup", "!!Internal Users!!"), true);
      assert.equal(await admin.isAdmin("outsider"), true);
      assert.equal(await admin.isAdmin("ghost"), false);
      assert.match((await t.rpc.fault("api.addAdminAccessUser", "ghost")).faultString, /The user with name ghost could not be found\./);
      assert.match((await t.rpc.fault("api.removeAdminAccessUser", "ghost")).faultString, /could not be found/);
      assert.match((await t.rpc.fault("api.addAdminAccessGroup", "Ghosts")).faultString, /The group Ghosts does not exist\./);
      assert.match((await t.rpc.fault("api.removeAdminAccessGroup", "Ghosts")).faultString, /does not exist/);
    });

    it("initial user settings apply to users created through the API; reapply leaves the balance alone", async () => {
      await t.server.app.groups.setInitialUserSettings("!!Internal Users!!", {
        balance: 7_500_000,
        restricted: true,
        overdraft: 2_000_000,
        accountSelectionMode: "SHOW_ACCOUNT_SELECTION_POPUP",
        canChargePersonal: true,
        canChargeSharedFromList: true,
        canChargeSharedByPin: false,
      });
      await t.rpc.call("api.addNewInternalUser", "newbie", "pw", "", "", "", "");
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "newbie"), 7.5);
      assert.deepEqual(await t.rpc.call("api.getUserProperties", "newbie", ["restricted", "overdraft-amount", "account-selection.mode", "account-selection.can-charge-shared-from-list"]), [
        "true",
        "2.0",
        "SHOW_ACCOUNT_SELECTION_POPUP",
        "true",
      ]);
      assert.equal(await t.rpc.call("api.getUserOverdraftMode", "newbie"), "individual");
      // Existing users are not touched until reapplied; reapplying does not hand out the credit again.
      assert.equal(await t.rpc.call("api.getUserProperty", "u4", "restricted"), "false");
      await t.rpc.call("api.setUserProperty", "newbie", "restricted", "false");
      assert.equal(await t.rpc.call("api.reapplyInitialUserSettings", "u4"), true);
      assert.equal(await t.rpc.call("api.reapplyInitialUserSettings", "newbie"), true);
      assert.equal(await t.rpc.call("api.getUserProperty", "u4", "restricted"), "true");
      assert.equal(await t.rpc.call("api.getUserProperty", "newbie", "restricted"), "true");
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "u4"), 0);
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "newbie"), 7.5);
      assert.match((await t.rpc.fault("api.reapplyInitialUserSettings", "ghost")).faultString, /could not be found/);
      await t.server.app.groups.setInitialUserSettings("!!Internal Users!!", null);
      await assertLedgerMatches(t);
    });
  });

  describe(`quota allocation (${backend})`, () => {
    // Local time so the schedule's 00:10 / 00:20 / 00:30 run times line up with the server's zone.
    const at = (y: number, m: number, d: number, h = 0, min = 0) => new Date(y, m - 1, d, h, min).getTime();
    const clock = new ManualClock(at(2030, 1, 1, 12));
    let dataDir: string;
    let pgdb: { url: string; drop(): Promise<void> } | undefined;
    let server: RunningServer;
    let rpc: RpcClient;

    async function start(): Promise<void> {
      server = await startServer({ dataDir, postgresUrl: pgdb?.url, host: "127.0.0.1", httpPort: 0, clock, quotaIntervalMs: 3_600_000 });
      rpc = new RpcClient(`http://127.0.0.1:${server.httpPort}/rpc/api/xmlrpc`, TEST_TOKEN);
    }

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), "quire-test-"));
      pgdb = backend === "postgres" ? await createPostgresDatabase() : undefined;
      await start();
      await server.app.config.set("auth.webservices.auth-token", JSON.stringify({ tests: TEST_TOKEN }));
      for (const name of ["q1", "q2", "q3"]) await rpc.call("api.addNewInternalUser", name, "pw", "", "", "", "");
      await rpc.call("api.addNewGroup", "Students");
      await rpc.call("api.addUserToGroup", "q1", "Students");
      await rpc.call("api.addUserToGroup", "q2", "Students");
    });
    after(async () => {
      await server?.close();
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const balancesOf = () => Promise.all(["q1", "q2", "q3"].map((n) => rpc.call<number>("api.getUserAccountBalance", n)));

    it("a daily quota allocates once per period, even when the scheduler runs twice", async () => {
      await rpc.call("api.setGroupQuota", "Students", { double: 2 }, "DAILY", { double: 0 });
      assert.deepEqual(await server.quotaScheduler.runOnce(), [], "nothing is due before the next 00:10");
      clock.set(at(2030, 1, 2, 0, 9));
      assert.deepEqual(await server.quotaScheduler.runOnce(), []);
      clock.set(at(2030, 1, 2, 0, 10));
      const [first, second] = await Promise.all([server.quotaScheduler.runOnce(), server.quotaScheduler.runOnce()]);
      assert.deepEqual([...first, ...second], [{ group: "Students", runKey: "DAILY:2030-01-02", members: 2 }]);
      clock.set(at(2030, 1, 2, 18));
      assert.deepEqual(await server.quotaScheduler.runOnce(), []);
      assert.deepEqual(await balancesOf(), [2, 2, 0]);
      const row = await server.app.db.kysely.selectFrom("ledger").select(["kind", "comment"]).where("kind", "=", "quota").limit(1).executeTakeFirstOrThrow();
      assert.match(row.comment, /Quota allocation: group Students, daily quota for 2030-01-02/);
    });

    it("a restart in the same period does not allocate again; the next period does", async () => {
      await server.close();
      await start();
      assert.deepEqual(await server.quotaScheduler.runOnce(), []);
      assert.deepEqual(await balancesOf(), [2, 2, 0]);
      clock.set(at(2030, 1, 3, 0, 15));
      assert.equal((await server.quotaScheduler.runOnce()).length, 1);
      assert.deepEqual(await balancesOf(), [4, 4, 0]);
      await assertLedgerMatches(server);
    });

    it("days missed while down are caught up once, not once per day", async () => {
      clock.set(at(2030, 1, 7, 9));
      assert.deepEqual(await server.quotaScheduler.runOnce(), [{ group: "Students", runKey: "DAILY:2030-01-07", members: 2 }]);
      assert.deepEqual(await balancesOf(), [6, 6, 0]);
    });

    it("the maximum accumulation stops a member's balance growing past it, and never lowers it", async () => {
      await rpc.call("api.setUserAccountBalance", "q2", { double: 30 }, "");
      await rpc.call("api.setGroupQuota", "Students", { double: 5 }, "MONTHLY", { double: 9 });
      clock.set(at(2030, 2, 1, 0, 29));
      assert.deepEqual(await server.quotaScheduler.runOnce(), []);
      clock.set(at(2030, 2, 1, 0, 30));
      assert.deepEqual(await server.quotaScheduler.runOnce(), [{ group: "Students", runKey: "MONTHLY:2030-02-01", members: 1 }]);
      assert.deepEqual(await balancesOf(), [9, 30, 0]);
      await assertLedgerMatches(server);
    });

    it("quotas of several groups add up, including the all-users group", async () => {
      await rpc.call("api.setGroupQuota", "Students", { double: 0 }, "NONE");
      await rpc.call("api.setGroupQuota", "!!All Users!!", { double: 1 }, "WEEKLY");
      await rpc.call("api.addNewGroup", "Extra");
      await rpc.call("api.addUserToGroup", "q3", "Extra");
      await rpc.call("api.setGroupQuota", "Extra", { double: 0.5 }, "*-*-03");
      // 2030-02-03 is a Sunday: the weekly run at 00:20 and the custom run at 00:10.
      clock.set(at(2030, 2, 3, 1));
      const made = await server.quotaScheduler.runOnce();
      assert.deepEqual(made.map((m) => m.runKey).sort(), ["CUSTOM:2030-02-03", "WEEKLY:2030-02-03"]);
      assert.deepEqual(await balancesOf(), [10, 31, 1.5]);
    });

    it("two nodes sharing one database allocate a run exactly once", { skip: backend !== "postgres" }, async () => {
      await rpc.call("api.setGroupQuota", "!!All Users!!", { double: 0 }, "NONE");
      await rpc.call("api.setGroupQuota", "Extra", { double: 0 }, "NONE");
      await rpc.call("api.setGroupQuota", "Students", { double: 1 }, "DAILY");
      const otherDir = mkdtempSync(join(tmpdir(), "quire-test-"));
      const other = await startServer({ dataDir: otherDir, postgresUrl: pgdb?.url, host: "127.0.0.1", httpPort: 0, clock, quotaIntervalMs: 3_600_000 });
      try {
        clock.set(at(2030, 2, 4, 0, 10));
        const made = (await Promise.all([server.quotaScheduler.runOnce(), other.quotaScheduler.runOnce(), server.quotaScheduler.runOnce(), other.quotaScheduler.runOnce()])).flat();
        assert.deepEqual(made, [{ group: "Students", runKey: "DAILY:2030-02-04", members: 2 }]);
        assert.deepEqual(await balancesOf(), [11, 32, 1.5]);
        await assertLedgerMatches(server);
      } finally {
        await other.close();
        rmSync(otherDir, { recursive: true, force: true });
      }
    });
  });
}
