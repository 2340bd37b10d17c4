// Wire compatibility with Python's stdlib xmlrpc.client, the client of PaperCut's example scripts:
// plain HTTP and HTTPS with an unverified context, floats, faults, lists, tuples and None.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { TRANSPORTS } from "../support/fixtures.js";
import { startTestServer, TEST_TOKEN, type TestServer } from "../support/server.js";

// The script lives in the source tree (tsc does not copy it): dist/test/integration → test/python.
const SCRIPT = fileURLToPath(new URL("../../../test/python/papercut_client_check.py", import.meta.url));

function runPython(url: string, prefix: string, extra: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile("python3", [SCRIPT, url, prefix, ...extra], { env: { ...process.env, QUIRE_TOKEN: TEST_TOKEN }, timeout: 60_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

for (const backend of BACKENDS) {
  describe(`Python xmlrpc.client compatibility (${backend})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => {
      await t?.close();
    });

    for (const transport of TRANSPORTS) {
      it(`PaperCut-style scripts work unchanged over ${transport}`, async () => {
        const url = transport === "https" ? t.httpsUrl : t.url;
        const bigBody = backend === "sqlite" && transport === "http" ? ["--big-body"] : [];
        const result = await runPython(url, `${transport}`, bigBody);
        assert.equal(result.code, 0, `python failed:\n${result.stdout}\n${result.stderr}`);
        const passed = result.stdout.split("\n").filter((l) => l.startsWith("ok "));
        assert.equal(passed.length, bigBody.length > 0 ? 17 : 16, result.stdout);
        assert.match(result.stdout, /\ndone\n$/);
      });
    }
  });
}
