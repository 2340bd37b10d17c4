// Shell scripts of our own, written from the documented behaviour of PaperCut's example scripts, run
// with `server-command` on the PATH against a live server. A script whose subcommands are not served yet
// is reported as skipped with the missing names, never passed silently. The scripts exercise the shell
// edge (quoting, exit codes, line-by-line output), which does not depend on the storage backend; the
// round-trip suite (server-command.test) covers both backends, so these run on the first one only to
// keep the suite's hundreds of process starts affordable.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { after, before, describe, it } from "node:test";
import { subcommandsOf, findSubcommand } from "../../src/cli/subcommands.js";
import { METHODS } from "../../src/rpc/methods.js";
import { BACKENDS } from "../support/backends.js";
import { REPO_ROOT, SERVER_COMMAND_BIN } from "../support/server-command.js";
import { startTestServer, TEST_TOKEN, type TestServer } from "../support/server.js";

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "server-command");
const SUBCOMMANDS = subcommandsOf(METHODS);

/** The `# requires:` line of a fixture, and which of those subcommands this build does not serve. */
function missingFor(script: string): string | false {
  const header = /^# requires: (.+)$/m.exec(readFileSync(join(FIXTURES, script), "utf8"));
  assert.ok(header, `${script} declares the subcommands it needs`);
  const missing = header[1].split(/\s+/).filter((name) => !findSubcommand(SUBCOMMANDS, name));
  return missing.length > 0 && `not yet served: ${missing.join(", ")}`;
}

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

for (const backend of BACKENDS.slice(0, 1)) {
  describe(`PaperCut-style server-command scripts (${backend})`, () => {
    let t: TestServer;
    let binDir: string;
    const run = (script: string, ...args: string[]): Promise<ScriptRun> =>
      new Promise((resolve, reject) => {
        execFile(
          "bash",
          [join(FIXTURES, script), ...args],
          { env: { ...process.env, PATH: `${binDir}${delimiter}${process.env.PATH ?? ""}`, QUIRE_DATA_DIR: t.dataDir }, timeout: 120_000 },
          (error, stdout, stderr) => {
            if (error && typeof error.code !== "number") return reject(error);
            resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
          },
        );
      });
    const addUser = (name: string, card = "") => t.rpc.call("api.addNewInternalUser", name, "pw", "", "", card, "");

    before(async () => {
      t = await startTestServer(backend);
      binDir = mkdtempSync(join(tmpdir(), "quire-bin-"));
      symlinkSync(SERVER_COMMAND_BIN, join(binDir, "server-command"));
    });
    after(async () => {
      await t?.close();
      if (binDir) rmSync(binDir, { recursive: true, force: true });
    });

    it("top-up-overdrawn-accounts: brings negative balances to zero", { skip: missingFor("top-up-overdrawn-accounts.sh") }, async () => {
      await addUser("neg1");
      await addUser("pos1");
      await t.rpc.call("api.adjustUserAccountBalance", "neg1", { double: -3.25 }, "overdrawn");
      await t.rpc.call("api.adjustUserAccountBalance", "pos1", { double: 2 }, "credit");
      const r = await run("top-up-overdrawn-accounts.sh");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "neg1 has balance -3.25; adding 3.25\ntrue\n");
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "neg1"), 0);
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "pos1"), 2);
    });

    it("swap-card-numbers: swaps primary and secondary card numbers", { skip: missingFor("swap-card-numbers.sh") }, async () => {
      await t.rpc.call("api.setUserProperty", "neg1", "primary-card-number", "P-1");
      await t.rpc.call("api.setUserProperty", "neg1", "secondary-card-number", "S-1");
      const r = await run("swap-card-numbers.sh");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(await t.rpc.call("api.getUserProperty", "neg1", "primary-card-number"), "S-1");
      assert.equal(await t.rpc.call("api.getUserProperty", "neg1", "secondary-card-number"), "P-1");
      assert.equal(await t.rpc.call("api.lookUpUserNameByCardNo", "S-1"), "neg1");
    });

    it("delete-users-matching-regex: deletes only the matching users", { skip: missingFor("delete-users-matching-regex.sh") }, async () => {
      await addUser("temp-a");
      await addUser("temp-b");
      const r = await run("delete-users-matching-regex.sh", "^temp-");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "deleting temp-a\ndeleting temp-b\n");
      assert.equal(await t.rpc.call("api.isUserExists", "temp-a"), false);
      assert.equal(await t.rpc.call("api.isUserExists", "pos1"), true);
    });

    it("list-group-membership: prints each user's groups", { skip: missingFor("list-group-membership.sh") }, async () => {
      const r = await run("list-group-membership.sh");
      assert.equal(r.code, 0, r.stderr);
      const users = await t.rpc.call<string[]>("api.listUserAccounts", 0, 1000);
      const lines = r.stdout.trimEnd().split("\n");
      assert.deepEqual(
        lines.map((l) => l.split(":")[0]),
        users,
      );
      for (const user of users) {
        const groups = await t.rpc.call<string[]>("api.getUserGroups", user);
        assert.ok(lines.includes(`${user}:${groups.map((g) => " " + g).join("")}`), user);
      }
    });

    it("list-shared-account-balances: prints each shared account with its balance", { skip: missingFor("list-shared-account-balances.sh") }, async () => {
      await t.rpc.call("api.addNewSharedAccount", "Scripts");
      await t.rpc.call("api.addNewSharedAccount", "Scripts\\Sub One");
      await t.rpc.call("api.adjustSharedAccountAccountBalance", "Scripts\\Sub One", { double: 12.5 }, "grant");
      const r = await run("list-shared-account-balances.sh");
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split("\n");
      assert.ok(lines.includes("Scripts\\Sub One\t+12.50"), r.stdout);
      assert.ok(lines.includes("Scripts\t+0.00"), r.stdout);
    });

    it("charge-to-single-shared-account: sets the users' account selection", { skip: missingFor("charge-to-single-shared-account.sh") }, async () => {
      await t.rpc.call("api.addNewSharedAccount", "Charge Here");
      const r = await run("charge-to-single-shared-account.sh", "Charge Here", "pos1", "neg1");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "pos1 charges to Charge Here\nneg1 charges to Charge Here\n");
      assert.equal(await t.rpc.call("api.getUserProperty", "pos1", "account-selection.mode"), "AUTO_CHARGE_TO_SHARED");
      assert.equal(await t.rpc.call("api.getUserProperty", "neg1", "auto-shared-account"), "Charge Here");
    });

    it("delete-printers-matching-regex: deletes matching printers and keeps the template", { skip: missingFor("delete-printers-matching-regex.sh") }, async () => {
      await addUser("printing");
      for (const printer of ["Old Lab 1", "Old Lab 2", "Library"]) await t.rpc.call("api.processJob", `user=printing,server=ps9,printer=${printer},total-pages=1,cost=0.1`);
      const r = await run("delete-printers-matching-regex.sh", "^ps9\\\\Old Lab");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "deleting ps9 / Old Lab 1\ndeleting ps9 / Old Lab 2\n");
      const left = await t.rpc.call<string[]>("api.listPrinters", 0, 1000);
      assert.ok(left.includes("ps9\\Library") && !left.includes("ps9\\Old Lab 1"));
    });

    it("assign-printers-to-server-groups: puts each printer into its server's group", { skip: missingFor("assign-printers-to-server-groups.sh") }, async () => {
      const printers = (await t.rpc.call<string[]>("api.listPrinters", 0, 1000)).filter((p) => p !== "!!template printer!!");
      const r = await run("assign-printers-to-server-groups.sh");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, printers.map((p) => `${p.slice(p.indexOf("\\") + 1)} -> ${p.slice(0, p.indexOf("\\"))}\n`).join(""));
    });

    it("install-web-auth-token: adds a token and keeps the existing ones", { skip: missingFor("install-web-auth-token.sh") }, async () => {
      const r = await run("install-web-auth-token.sh", "billing", "billing-token-4567");
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, "installed token for billing\n");
      assert.deepEqual(JSON.parse(await t.rpc.call<string>("api.getConfigValue", "auth.webservices.auth-token")), { tests: TEST_TOKEN, billing: "billing-token-4567" });
      assert.equal(await t.rpc.withToken("billing-token-4567").call("api.isUserExists", "pos1"), true);
    });

    it("a script stops on a failing subcommand with its exit status", async () => {
      const r = await run("charge-to-single-shared-account.sh", "Any", "no-such-user");
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Error: Unable to execute server command\. .*no-such-user/);
    });
  });
}
