import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { METHODS } from "../../src/rpc/methods.js";
import { LOCAL_ACCESS_FILE, readLocalAccess } from "../../src/server/local-access.js";
import { BACKENDS } from "../support/backends.js";
import { QUIRE_BIN, serverCommand } from "../support/server-command.js";
import { startTestServer, TEST_ADMIN_PASSWORD, type TestServer } from "../support/server.js";

const served = (name: string) => METHODS.some((m) => m.name === name);

for (const backend of BACKENDS) {
  describe(`server-command against a live server (${backend})`, () => {
    let t: TestServer;
    const cli = (...args: string[]) => serverCommand(t.dataDir, args);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => {
      await t?.close();
    });

    it("the server keeps its port and a fresh secret in an owner-only file of the data directory", () => {
      const file = join(t.dataDir, LOCAL_ACCESS_FILE);
      assert.equal(statSync(file).mode & 0o777, 0o600);
      const access = readLocalAccess(t.dataDir);
      assert.equal(access.httpPort, t.server.httpPort);
      assert.ok(access.secret.length >= 40);
      assert.notEqual(t.server.app.config.get("auth.webservices.auth-token").includes(access.secret), true, "the secret never appears in config");
    });

    it("users: creates a user, adjusts and reads the balance, exit status 0", async () => {
      const r = await cli("add-new-internal-user", "carol", "pw", "Carol C", "carol@example.org", "CARD-7", "1234");
      assert.deepEqual(r, { code: 0, stdout: "true\n", stderr: "" });
      const adjusted = await Promise.all([cli("adjust-user-account-balance", "carol", "10.25", "top up from the shell"), cli("adjust-user-account-balance", "carol", "-0.5", "fix")]);
      assert.deepEqual(adjusted.map((a) => a.code), [0, 0]);
      const [balance, exists, total] = await Promise.all([cli("get-user-account-balance", "carol"), cli("user-exists", "carol"), cli("get-total-users")]);
      assert.equal(balance.stdout, "9.75\n");
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "carol"), 9.75);
      assert.equal(exists.stdout, "true\n");
      assert.equal(total.stdout.trim(), String(await t.rpc.call("api.getTotalUsers")));
    });

    it("cards and lookups: look-up-user-name-by-id-no and an empty answer for no match", async () => {
      const [found, none] = await Promise.all([cli("look-up-user-name-by-id-no", "CARD-7"), cli("look-up-user-name-by-card-no", "NO-SUCH-CARD")]);
      assert.equal(found.stdout, "carol\n");
      assert.deepEqual(none, { code: 0, stdout: "\n", stderr: "" });
    });

    it("account selection: takes TRUE/FALSE booleans", async () => {
      const r = await cli("set-user-account-selection-auto-charge-personal", "carol", "TRUE");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await t.rpc.call("api.getUserProperty", "carol", "account-selection.mode"), "CHARGE_TO_PERSONAL_ACCOUNT_WITH_CONFIRMATION");
    });

    it("config: get-config and set-config round-trip a JSON token value", async () => {
      const value = '{"tests":"test-token-0123456789","billing":"q8Zr 2\\\\LmT"}';
      assert.equal((await cli("set-config", "auth.webservices.auth-token", value)).code, 0);
      const [got, unknown] = await Promise.all([cli("get-config", "auth.webservices.auth-token"), cli("get-config-value", "no.such.key")]);
      assert.equal(got.stdout, value + "\n");
      assert.equal(unknown.stdout, "\n");
    });

    it("arrays: get-user-properties prints one value a line; set-user-properties takes name value pairs", async () => {
      let r = await cli("set-user-properties", "carol", "department", "Physics Lab", "office", "B 12");
      assert.equal(r.code, 0, r.stderr);
      r = await cli("get-user-properties", "carol", "department", "office", "balance");
      assert.equal(r.stdout, "Physics Lab\nB 12\n9.75\n");
    });

    it("quoting: values with spaces, backslashes and quotes arrive unchanged", async () => {
      const name = `Dept\\Sub "Team" O'Neil  two  spaces`;
      assert.equal((await cli("set-user-property", "carol", "full-name", name)).code, 0);
      assert.equal((await cli("get-user-property", "carol", "full-name")).stdout, name + "\n");
      assert.equal(await t.rpc.call("api.getUserProperty", "carol", "full-name"), name);
    });

    it("shared accounts: Parent\\Child names pass through unchanged", { skip: !served("api.addNewSharedAccount") && "not yet served: api.addNewSharedAccount" }, async () => {
      assert.equal((await cli("add-new-shared-account", "Research")).code, 0);
      assert.equal((await cli("add-new-shared-account", "Research\\Lab 2")).code, 0);
      assert.equal((await cli("adjust-shared-account-account-balance", "Research\\Lab 2", "5", "grant")).code, 0);
      assert.equal((await cli("get-shared-account-account-balance", "Research\\Lab 2")).stdout, "5.0\n");
      assert.ok((await cli("list-shared-accounts")).stdout.split("\n").includes("Research\\Lab 2"));
    });

    it("groups: get-user-groups prints one group a line", { skip: !served("api.getUserGroups") && "not yet served: api.getUserGroups" }, async () => {
      const r = await cli("get-user-groups", "carol");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, (await t.rpc.call<string[]>("api.getUserGroups", "carol")).map((g) => g + "\n").join(""));
    });

    it("printers: list-printers without paging lists every printer", { skip: !served("api.listPrinters") && "not yet served: api.listPrinters" }, async () => {
      const r = await cli("list-printers");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, (await t.rpc.call<string[]>("api.listPrinters", 0, 100000)).map((p) => p + "\n").join(""));
    });

    it("tasks: get-task-status (a method without a token) prints name=value lines", { skip: !served("api.getTaskStatus") && "not yet served: api.getTaskStatus" }, async () => {
      const r = await cli("get-task-status");
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^completed=(true|false)\nmessage=/);
    });

    it("quire command … is server-command", async () => {
      const r = await new Promise<{ code: number; stdout: string }>((resolve, reject) =>
        execFile(process.execPath, [QUIRE_BIN, "command", "--data-dir", t.dataDir, "user-exists", "carol"], { timeout: 60_000 }, (error, stdout) => {
          if (error && typeof error.code !== "number") return reject(error);
          resolve({ code: error ? (error.code as number) : 0, stdout });
        }),
      );
      assert.deepEqual(r, { code: 0, stdout: "true\n" });
    });

    it("lists print one item a line and list everything when offset and limit are left out", async () => {
      for (const u of ["dora", "eve"]) await t.rpc.call("api.addNewInternalUser", u, "pw", "", "", "", "");
      const [all, page] = await Promise.all([cli("list-user-accounts"), cli("list-user-accounts", "1", "1")]);
      assert.equal(all.stdout, (await t.rpc.call<string[]>("api.listUserAccounts", 0, 1000)).map((u) => u + "\n").join(""));
      assert.equal(page.stdout, "dora\n");
    });

    it("a fault exits 1 with the message on stderr and nothing on stdout", async () => {
      const r = await cli("get-user-account-balance", "nobody");
      assert.deepEqual(r, { code: 1, stdout: "", stderr: "Error: Unable to execute server command. The user with name nobody could not be found.\n" });
    });

    it("unknown subcommands and wrong argument counts exit 2 with the expected signature", async () => {
      const [unknown, short, extra] = await Promise.all([cli("no-such-thing", "x"), cli("adjust-user-account-balance", "carol", "1"), cli("get-total-users", "extra")]);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /unknown subcommand "no-such-thing"/);
      assert.equal(short.code, 2);
      assert.match(short.stderr, /Usage: server-command adjust-user-account-balance <username> <adjustment:amount> <comment> \[<accountName>\]/);
      assert.equal(extra.code, 2);
    });

    it("--help lists every subcommand; help SUBCOMMAND shows one", async () => {
      const [help, one] = await Promise.all([cli("--help"), cli("help", "look-up-user-name-by-id-no")]);
      assert.equal(help.code, 0);
      assert.match(help.stdout, /\n {2}adjust-user-account-balance <username> <adjustment:amount> <comment> \[<accountName>\]\n/);
      assert.equal(one.code, 0);
      assert.match(one.stdout, /api\.lookUpUserNameByIDNo\(authToken: string, idNo: string\)/);
    });

    it("admin: change-internal-admin-password changes the fallback credential", async () => {
      assert.equal((await cli("change-internal-admin-password", "new-admin-password-1")).code, 0);
      assert.equal(await t.rpc.withToken("new-admin-password-1").call("api.isUserExists", "carol"), true);
      const blank = await cli("change-internal-admin-password", "  ");
      assert.equal(blank.code, 1);
      assert.match(blank.stderr, /must not be blank/);
      await t.server.app.security.changeAdminPassword(TEST_ADMIN_PASSWORD);
    });

    it("hardware-only methods answer 'not supported' (501); run-command answers Unknown command", async () => {
      const r = await cli("enable-device-snmpv3", "MFD-1", "ctx", "u", "a", "p", "SHA", "AES");
      assert.equal(r.code, 1);
      assert.match(r.stderr, /not supported by Quire/);
      const fault = await t.rpc.fault("api.installLicense", "/tmp/x.lic");
      assert.equal(fault.faultCode, 501);
      const unknown = await t.rpc.fault("api.runCommand", "anything", ["a"]);
      assert.match(unknown.faultString, /Unknown command/);
    });

    it("changeInternalAdminPassword with 3 parameters is refused as an unknown overload", async () => {
      const fault = await t.rpc.fault("api.changeInternalAdminPassword", "Report title", "/tmp", "x");
      assert.equal(fault.faultCode, -1);
      assert.match(fault.faultString, /NoSuchMethodException/);
      assert.equal(await t.rpc.withToken(TEST_ADMIN_PASSWORD).call("api.isUserExists", "carol"), true, "the password did not change");
    });

    it("the local secret is an auth token for loopback callers only", async () => {
      const { secret } = readLocalAccess(t.dataDir);
      assert.equal(await t.server.app.security.authenticate(secret, "127.0.0.1"), "server-command");
      assert.equal(await t.server.app.security.authenticate(secret, "::1"), "server-command");
      await assert.rejects(t.server.app.security.authenticate(secret, "192.0.2.10"), /Authentication failed/);
      await assert.rejects(t.server.app.security.authenticate(secret), /Authentication failed/);
    });

    it("the allow-list still applies to server-command", async () => {
      await t.server.app.config.set("auth.webservices.allowed-addresses", "192.0.2.1");
      try {
        const r = await cli("get-total-users");
        assert.equal(r.code, 1);
        assert.match(r.stderr, /Access denied/);
      } finally {
        await t.server.app.config.set("auth.webservices.allowed-addresses", "127.0.0.1,::1");
      }
    });
  });
}

describe("server-command without a running server", () => {
  it("exits 3 and says the server is not running", async () => {
    const r = await serverCommand("/nonexistent-quire-data-dir", ["get-total-users"]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /does not seem to be running/);
  });
});
