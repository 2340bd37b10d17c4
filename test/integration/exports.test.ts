import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { waitForTask } from "../support/tasks.js";

for (const backend of BACKENDS) {
  describe(`GDPR export and client accounts file (${backend})`, () => {
    let t: TestServer;
    let dir: string;
    before(async () => {
      t = await startTestServer(backend);
      dir = mkdtempSync(join(tmpdir(), "quire-exports-"));
      await t.rpc.call("api.addNewInternalUser", "dana", "pw", "Dana \"DJ\" Jones", "dana@example.org", "D-1", "");
      await t.rpc.call("api.adjustUserAccountBalance", "dana", { double: 12.5 }, "top-up, cash");
      await t.rpc.call("api.adjustUserAccountBalance", "dana", { double: -2.25 }, "copies");
    });
    after(async () => {
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("exportUserDataHistory writes the user's CSV reports with a header row and RFC 4180 quoting", async () => {
      const out = join(dir, "dana");
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out);
      assert.equal(await t.rpc.call("api.exportUserDataHistory", "dana", out), true);
      assert.deepEqual(readdirSync(out).sort(), ["group-membership.csv", "print-job-log.csv", "transactions.csv", "user-details.csv"]);
      const details = readFileSync(join(out, "user-details.csv"), "utf8").split("\r\n");
      assert.match(details[0], /^username,full name,email,/);
      assert.match(details[1], /^dana,"Dana ""DJ"" Jones",dana@example.org,.*,D-1,.*,N,10\.25$/);
      const tx = readFileSync(join(out, "transactions.csv"), "utf8").trimEnd().split("\r\n");
      assert.equal(tx.length, 3);
      assert.match(tx[1], /,personal,12\.5,12\.5,adjustment,"top-up, cash",tests$/);
      assert.match(tx[2], /,personal,-2\.25,10\.25,adjustment,copies,tests$/);
      assert.equal(readFileSync(join(out, "print-job-log.csv"), "utf8").split("\r\n")[0].split(",")[0], "date");
    });

    it("exportUserDataHistory faults for an unknown user or an unusable folder", async () => {
      assert.match((await t.rpc.fault("api.exportUserDataHistory", "nobody", dir)).faultString, /The user with name nobody could not be found\./);
      assert.match((await t.rpc.fault("api.exportUserDataHistory", "dana", join(dir, "missing"))).faultString, /does not exist on the server/);
      const file = join(dir, "plain.txt");
      writeFileSync(file, "x");
      assert.match((await t.rpc.fault("api.exportUserDataHistory", "dana", file)).faultString, /is not a folder/);
    });

    it("createUserClientAccountsFile writes the enabled shared accounts into client/client-accounts.dat, replacing the old file", async () => {
      const path = join(dir, "shared.tsv");
      writeFileSync(path, "Science\t\tY\t1001\t\tY\nScience\tChemistry\tY\nArts\t\tN\n");
      await t.rpc.call("api.batchImportSharedAccounts", path, false, false);
      await waitForTask(t.rpc);
      assert.equal(await t.rpc.call("api.createUserClientAccountsFile"), true);
      const file = join(t.dataDir, "client", "client-accounts.dat");
      const read = () => gunzipSync(readFileSync(file)).toString("utf8");
      assert.equal(read(), "quire-client-accounts 1\nScience\tY\tR\nScience\\Chemistry\tN\t\n");
      writeFileSync(path, "Arts\t\tY\n");
      await t.rpc.call("api.batchImportSharedAccounts", path, false, false);
      await waitForTask(t.rpc);
      await t.rpc.call("api.createUserClientAccountsFile");
      assert.equal(read(), "quire-client-accounts 1\nArts\tN\t\nScience\tY\tR\nScience\\Chemistry\tN\t\n");
    });
  });
}
