import assert from "node:assert/strict";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startTestServer, type TestServer } from "../support/server.js";
import { summaryOf, waitForTask } from "../support/tasks.js";

/** Writes n user lines in the 14-column format, streaming so the test itself stays small. */
export async function writeUserFile(path: string, n: number): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < n; i++) {
    const line = `user${String(i).padStart(6, "0")}\t${i % 50}.25\t${i % 2 ? "Y" : "N"}\tUser Number ${i}\tuser${i}@example.edu\tDept ${i % 40}\tOffice ${i % 7}\tCARD${i}\t\t\t\t\t\t\n`;
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "close");
}

describe("batchImportUsers with a huge file (sqlite, --long)", () => {
  let t: TestServer;
  let dir: string;
  before(async () => {
    t = await startTestServer("sqlite");
    dir = mkdtempSync(join(tmpdir(), "quire-huge-"));
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("imports 100,000 users, reporting progress as it goes", async () => {
    const path = join(dir, "users.tsv");
    await writeUserFile(path, 100_000);
    await t.rpc.call("api.batchImportUsers", path, true);
    const status = await waitForTask(t.rpc, 900_000);
    assert.match(summaryOf(status), /User import complete: 100000 lines processed, 100000 users created, 0 updated, 0 skipped \(unknown users\), 0 errors\.$/);
    assert.match(status.message, / - Processed 50000 lines\.\.\.\n/);
    assert.equal(await t.rpc.call("api.getTotalUsers"), 100_000);
    assert.equal(await t.rpc.call("api.getUserAccountBalance", "user099999"), 49.25);
  });
});
