// Who may call: the auth token in each of its three formats, the admin password as a token, wrong
// tokens, the allowed-callers list (a client bound to 127.0.0.2), and the config methods that edit them.
import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { pino } from "pino";
import { REDACTED_PATHS } from "../../src/kernel/log.js";
import { BACKENDS } from "../support/backends.js";
import { assertFault, clientFor, TRANSPORTS } from "../support/fixtures.js";
import { postRaw, RpcClient } from "../support/rpc-client.js";
import { startTestServer, TEST_ADMIN_PASSWORD, TEST_TOKEN, type TestServer } from "../support/server.js";

const TOKEN_KEY = "auth.webservices.auth-token";
const ADDRESSES_KEY = "auth.webservices.allowed-addresses";
const AUTH_FAILED = /^Authentication failed: invalid or missing auth token\.$/;
const ACCESS_DENIED = /^Access denied\. Your IP address is not allowed to access the Web Services API\.$/;

for (const backend of BACKENDS) {
  for (const transport of TRANSPORTS) {
    describe(`security (${backend}, ${transport})`, () => {
      let t: TestServer;
      let rpc: RpcClient;
      const setTokens = (value: string) => t.server.app.config.set(TOKEN_KEY, value);

      before(async () => {
        t = await startTestServer(backend);
        rpc = clientFor(t, transport);
      });
      after(async () => {
        await t?.close();
      });

      it("accepts the tokens of a JSON object of application → token", async () => {
        await setTokens(JSON.stringify({ payments: "pay-token", sync: "sync-token" }));
        assert.equal(await rpc.withToken("pay-token").call("api.isUserExists", "x"), false);
        assert.equal(await rpc.withToken("sync-token").call("api.getTotalUsers"), 0);
        await assertFault(rpc.withToken("payments").call("api.isUserExists", "x"), 401, AUTH_FAILED);
      });

      it("accepts every token of a JSON array", async () => {
        await setTokens(JSON.stringify(["first", "second"]));
        assert.equal(await rpc.withToken("first").call("api.isUserExists", "x"), false);
        assert.equal(await rpc.withToken("second").call("api.isUserExists", "x"), false);
        await assertFault(rpc.withToken("third").call("api.isUserExists", "x"), 401, AUTH_FAILED);
      });

      it("accepts a plain-string token", async () => {
        await setTokens("plain-legacy-token");
        assert.equal(await rpc.withToken("plain-legacy-token").call("api.isUserExists", "x"), false);
        await assertFault(rpc.withToken("plain-legacy").call("api.isUserExists", "x"), 401, AUTH_FAILED);
      });

      it("a token changed through setConfigValue takes effect at once", async () => {
        await setTokens(JSON.stringify({ tests: TEST_TOKEN }));
        assert.equal(await rpc.call("api.setConfigValue", TOKEN_KEY, JSON.stringify({ tests: TEST_TOKEN, rotated: "rotated-token" })), true);
        assert.equal(await rpc.withToken("rotated-token").call("api.isUserExists", "x"), false);
        assert.equal(await rpc.call("api.setConfigValue", TOKEN_KEY, JSON.stringify({ tests: TEST_TOKEN })), true);
        await assertFault(rpc.withToken("rotated-token").call("api.isUserExists", "x"), 401, AUTH_FAILED);
      });

      it("accepts the built-in admin password as the token, with and without web services tokens configured", async () => {
        await setTokens(JSON.stringify({ tests: TEST_TOKEN }));
        assert.equal(await rpc.withToken(TEST_ADMIN_PASSWORD).call("api.isUserExists", "x"), false);
        await setTokens("");
        assert.equal(await rpc.withToken(TEST_ADMIN_PASSWORD).call("api.isUserExists", "x"), false);
        // Repeat calls stay correct (the check is cached after the slow hash has matched once).
        assert.equal(await rpc.withToken(TEST_ADMIN_PASSWORD).call("api.getTotalUsers"), 0);
        await assertFault(rpc.withToken(TEST_ADMIN_PASSWORD.toUpperCase()).call("api.isUserExists", "x"), 401, AUTH_FAILED);
        await assertFault(rpc.withToken("").call("api.isUserExists", "x"), 401, AUTH_FAILED);
        await setTokens(JSON.stringify({ tests: TEST_TOKEN }));
      });

      it("changing the admin password retires the old one at once", async () => {
        await t.server.app.security.changeAdminPassword("another password");
        try {
          await assertFault(rpc.withToken(TEST_ADMIN_PASSWORD).call("api.isUserExists", "x"), 401, AUTH_FAILED);
          assert.equal(await rpc.withToken("another password").call("api.isUserExists", "x"), false);
        } finally {
          await t.server.app.security.changeAdminPassword(TEST_ADMIN_PASSWORD);
        }
      });

      it("a wrong, missing or non-string token faults with 401 before the method runs", async () => {
        await assertFault(rpc.withToken("wrong").call("api.adjustUserAccountBalance", "x", { double: 1 }, ""), 401, AUTH_FAILED);
        await assertFault(rpc.withToken("wrong").call("api.noSuchMethod"), 401, AUTH_FAILED);
        await assertFault(rpc.callRaw("api.isUserExists", []), 401, AUTH_FAILED);
        await assertFault(rpc.callRaw("api.isUserExists", [42, "x"]), 401, AUTH_FAILED);
        await assertFault(rpc.callRaw("api.isUserExists", [null, "x"]), 401, AUTH_FAILED);
      });

      it("the admin password is stored only as a slow hash", async () => {
        const row = await t.server.app.db.kysely.selectFrom("secret").select("value").where("name", "=", "admin-password-hash").executeTakeFirstOrThrow();
        assert.match(row.value, /^\$argon2id\$/);
        assert.ok(!row.value.includes(TEST_ADMIN_PASSWORD));
      });

      it("getConfigValue reads defaults and stored values; unknown keys read as an empty string", async () => {
        assert.equal(await rpc.call("api.getConfigValue", ADDRESSES_KEY), "127.0.0.1,::1");
        assert.equal(await rpc.call("api.getConfigValue", "no.such.key"), "");
        assert.equal(await rpc.call("api.setConfigValue", "Fiery.claim", "state <1> & \"two\""), true);
        assert.equal(await rpc.call("api.getConfigValue", "Fiery.claim"), "state <1> & \"two\"");
        assert.equal(await rpc.call("api.getConfigValue", " Fiery.claim "), "state <1> & \"two\"");
        assert.equal(await rpc.call("api.setConfigValue", "Fiery.claim", ""), true);
        assert.equal(await rpc.call("api.getConfigValue", "Fiery.claim"), "");
        await assertFault(rpc.call("api.setConfigValue", " ", "x"), 0, /config key name must not be empty/);
      });

      it("a caller outside the allowed list is refused regardless of its token; allowing it through setConfigValue lets it in", async () => {
        const outsider = rpc.from("127.0.0.2");
        await assertFault(outsider.call("api.isUserExists", "x"), 403, ACCESS_DENIED);
        await assertFault(outsider.withToken("wrong").call("api.isUserExists", "x"), 403, ACCESS_DENIED);
        await assertFault(outsider.withToken("wrong").call("api.noSuchMethod"), 403, ACCESS_DENIED);
        try {
          assert.equal(await rpc.call("api.setConfigValue", ADDRESSES_KEY, "127.0.0.1, ::1, 127.0.0.2"), true);
          assert.equal(await outsider.call("api.isUserExists", "x"), false);
          await assertFault(outsider.withToken("wrong").call("api.isUserExists", "x"), 401, AUTH_FAILED);
          assert.equal(await rpc.call("api.setConfigValue", ADDRESSES_KEY, "127.0.0.0/255.255.255.252"), true);
          assert.equal(await outsider.call("api.isUserExists", "x"), false);
          assert.equal(await rpc.call("api.setConfigValue", ADDRESSES_KEY, "127.0.0.1,::1,127.0.0.3-127.0.0.9"), true);
          await assertFault(outsider.call("api.isUserExists", "x"), 403, ACCESS_DENIED);
          assert.equal(await rpc.call("api.setConfigValue", ADDRESSES_KEY, "127.0.0.*"), true);
          assert.equal(await outsider.call("api.getTotalUsers"), 0);
        } finally {
          await t.server.app.config.set(ADDRESSES_KEY, "127.0.0.1,::1");
        }
        await assertFault(outsider.call("api.isUserExists", "x"), 403, ACCESS_DENIED);
      });

      it("the refusal is an XML-RPC fault with HTTP 200, sent before the body is looked at", async () => {
        const url = transport === "https" ? t.httpsUrl : t.url;
        const res = await postRaw(url, "this is not XML at all", { localAddress: "127.0.0.2" });
        assert.equal(res.status, 200);
        assert.match(res.body, /<int>403<\/int>/);
        assert.match(res.body, /Access denied/);
      });

      it("a malformed allowed-addresses value is refused and the old list stays", async () => {
        for (const bad of ["127.0.0.1,bogus", "10.0.0.0/33", "192.168.*", "10.0.0.9-10.0.0.1"]) {
          await assertFault(rpc.call("api.setConfigValue", ADDRESSES_KEY, bad), 0, /^java\.lang\.IllegalArgumentException: .*"/);
        }
        assert.equal(await rpc.call("api.getConfigValue", ADDRESSES_KEY), "127.0.0.1,::1");
        assert.equal(await rpc.call("api.isUserExists", "x"), false);
      });

      it("an emptied allowed-addresses list falls back to localhost only", async () => {
        try {
          assert.equal(await rpc.call("api.setConfigValue", ADDRESSES_KEY, ""), true);
          assert.equal(await rpc.call("api.isUserExists", "x"), false);
          await assertFault(rpc.from("127.0.0.2").call("api.isUserExists", "x"), 403, ACCESS_DENIED);
        } finally {
          await t.server.app.config.set(ADDRESSES_KEY, "127.0.0.1,::1");
        }
      });
    });
  }
}

describe("security: the debug log attributes calls to applications and never holds a secret", () => {
  let t: TestServer;
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString("utf8").split("\n").filter((l) => l !== ""));
      done();
    },
  });

  before(async () => {
    const log = pino({ level: "debug", base: undefined, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } }, sink);
    t = await startTestServer("sqlite", { log });
    await t.server.app.config.set(TOKEN_KEY, JSON.stringify({ payments: "pay-token-secret", sync: "sync-token-secret" }));
  });
  after(async () => {
    await t?.close();
  });

  it("names the application of the matching token, or admin for the admin password", async () => {
    const rpc = new RpcClient(t.url, "pay-token-secret");
    assert.equal(await rpc.call("api.isUserExists", "someone"), false);
    assert.equal(await rpc.withToken("sync-token-secret").call("api.getTotalUsers"), 0);
    assert.equal(await rpc.withToken(TEST_ADMIN_PASSWORD).call("api.getConfigValue", "x"), "");
    await assertFault(rpc.withToken("wrong-token-secret").call("api.isUserExists", "x"), 401, AUTH_FAILED);
    await assertFault(rpc.call("api.addNewInternalUser", "a/b", "user-password-secret", "", "", "", "pin-secret-9876"), 0, /username/);
    await assertFault(rpc.call("api.setUserProperty", "ghost", "password", "property-password-secret"), 0, /could not be found/);
    const calls = lines.map((l) => JSON.parse(l) as { msg?: string; method?: string; application?: string }).filter((e) => e.msg === "api call");
    assert.deepEqual(
      calls.slice(0, 3).map((e) => [e.method, e.application]),
      [
        ["api.isUserExists", "payments"],
        ["api.getTotalUsers", "sync"],
        ["api.getConfigValue", "admin"],
      ],
    );
    const text = lines.join("\n");
    for (const secret of ["pay-token-secret", "sync-token-secret", "wrong-token-secret", TEST_ADMIN_PASSWORD, "user-password-secret", "pin-secret-9876", "property-password-secret"]) {
      assert.ok(!text.includes(secret), `the log holds ${secret}`);
    }
  });
});
