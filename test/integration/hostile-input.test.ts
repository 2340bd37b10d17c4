// Hostile input, default run: 5,000 generated cases (codec alone, the dispatcher in-process, and a share
// over real HTTP on both backends), then hand-written attacks over HTTP. The long run is in
// hostile-input.long.test.ts.
import { after, before, describe, it } from "node:test";
import { METHODS } from "../../src/rpc/methods.js";
import { BACKENDS } from "../support/backends.js";
import { fuzzCodec, fuzzDispatcher, fuzzHttp } from "../support/fuzz.js";
import { startFuzzServer, type FuzzServer } from "../support/fuzz-server.js";
import { TEST_TOKEN } from "../support/server.js";
import { assertAuditClean } from "../support/audit.js";

// 5,000 in all: 2,000 codec + 2,400 dispatcher + 300 HTTP on each of the two backends.
const CODEC_CASES = 2_000;
const DISPATCH_CASES = 2_400;
const HTTP_CASES = BACKENDS.length === 2 ? 300 : 600;

describe("fuzzing the XML-RPC codec", () => {
  it(`parses or refuses ${CODEC_CASES} generated and mutated requests without any other error`, () => {
    fuzzCodec(CODEC_CASES, METHODS, TEST_TOKEN);
  });
});

for (const backend of BACKENDS) {
  describe(`fuzzing the dispatcher (${backend})`, () => {
    let f: FuzzServer;
    before(async () => {
      f = await startFuzzServer(backend);
    });
    after(async () => {
      await f?.close();
    });

    if (backend === "sqlite") {
      it(`answers ${DISPATCH_CASES} generated requests in-process with a well-formed result or fault`, { timeout: 300_000 }, async () => {
        await fuzzDispatcher(DISPATCH_CASES, f.server.dispatcher, TEST_TOKEN);
      });
    }

    it(`answers ${HTTP_CASES} generated requests over HTTP with a well-formed result or fault`, { timeout: 300_000 }, async () => {
      await fuzzHttp(HTTP_CASES, f.url, METHODS, TEST_TOKEN);
    });

    it("leaves a consistent database behind", async () => {
      await assertAuditClean(f.server.app);
    });
  });
}
