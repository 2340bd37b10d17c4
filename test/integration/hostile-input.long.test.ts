// Hostile input, long run (`npm run test:long`): 100,000 generated cases, the same mix as the default run.
import { after, before, describe, it } from "node:test";
import { METHODS } from "../../src/rpc/methods.js";
import { BACKENDS } from "../support/backends.js";
import { fuzzCodec, fuzzDispatcher, fuzzHttp } from "../support/fuzz.js";
import { startFuzzServer, type FuzzServer } from "../support/fuzz-server.js";
import { TEST_TOKEN } from "../support/server.js";
import { assertAuditClean } from "../support/audit.js";

// 100,000 in all: 40,000 codec + 48,000 dispatcher + 6,000 HTTP on each of the two backends.
const CODEC_CASES = 40_000;
const DISPATCH_CASES = 48_000;
const HTTP_CASES = BACKENDS.length === 2 ? 6_000 : 12_000;

describe("long fuzzing of the XML-RPC codec", () => {
  it(`parses or refuses ${CODEC_CASES} generated and mutated requests without any other error`, { timeout: 1_800_000 }, () => {
    fuzzCodec(CODEC_CASES, METHODS, TEST_TOKEN);
  });
});

for (const backend of BACKENDS) {
  describe(`long fuzzing of the dispatcher (${backend})`, () => {
    let f: FuzzServer;
    before(async () => {
      f = await startFuzzServer(backend);
    });
    after(async () => {
      await f?.close();
    });
    if (backend === "sqlite") {
      it(`answers ${DISPATCH_CASES} generated requests in-process with a well-formed result or fault`, { timeout: 1_800_000 }, async () => {
        await fuzzDispatcher(DISPATCH_CASES, f.server.dispatcher, TEST_TOKEN);
      });
    }
    it(`answers ${HTTP_CASES} generated requests over HTTP with a well-formed result or fault`, { timeout: 1_800_000 }, async () => {
      await fuzzHttp(HTTP_CASES, f.url, METHODS, TEST_TOKEN);
    });
    it("leaves a consistent database behind", async () => {
      await assertAuditClean(f.server.app);
    });
  });
}
