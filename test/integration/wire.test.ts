// The wire: dispatch faults (unknown method, argument count and types), lenient input and strict
// output types, the HTTP edge (methods, paths, content types, chunked bodies, keep-alive) and hostile
// bodies through the real route (50 MB, invalid UTF-8, entity tricks).
import assert from "node:assert/strict";
import http from "node:http";
import https from "node:https";
import { after, before, describe, it } from "node:test";
import { METHODS } from "../../src/rpc/methods.js";
import { BACKENDS } from "../support/backends.js";
import { assertFault, clientFor, createUser, TRANSPORTS } from "../support/fixtures.js";
import { Fault, methodCallXml, parseResponse, postRaw, type RpcClient } from "../support/rpc-client.js";
import { startTestServer, TEST_TOKEN, type TestServer } from "../support/server.js";

/** Every method of the users/personal accounts, lookups, account selection and config areas of the reference. */
const FOUNDATION_METHODS = [
  "api.isUserExists",
  "api.getUserAccountBalance",
  "api.getUserProperty",
  "api.getUserProperties",
  "api.setUserProperty",
  "api.setUserProperties",
  "api.clearUserAdvancedPrinterSettings",
  "api.adjustUserAccountBalance",
  "api.adjustUserAccountBalanceIfAvailable",
  "api.adjustUserAccountBalanceIfAvailableLeaveRemaining",
  "api.adjustUserAccountBalanceByCardNumber",
  "api.setUserAccountBalance",
  "api.setUserOverdraftMode",
  "api.getUserOverdraftMode",
  "api.resetUserCounts",
  "api.disablePrintingForUser",
  "api.renameUserAccount",
  "api.deleteExistingUser",
  "api.addNewInternalUser",
  "api.listUserAccounts",
  "api.getTotalUsers",
  "api.lookUpUserNameByCardNo",
  "api.lookUpUserNameByIDNo",
  "api.lookUpUserNameByEmail",
  "api.lookUpUserNameBySecondaryUserName",
  "api.lookUpUsersByFullName",
  "api.setUserAccountSelectionAutoChargePersonal",
  "api.setUserAccountSelectionAutoSelectSharedAccount",
  "api.setUserAccountSelectionStandardPopup",
  "api.setUserAccountSelectionAdvancedPopup",
  "api.getConfigValue",
  "api.setConfigValue",
];

const xmlCall = (method: string, paramsXml: string[]) =>
  `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${paramsXml.map((p) => `<param><value>${p}</value></param>`).join("")}</params></methodCall>`;
const TOKEN = `<string>${TEST_TOKEN}</string>`;

/** Sends a request body in several chunks with Transfer-Encoding: chunked. */
function postChunked(url: string, pieces: string[]): Promise<{ status: number; body: string }> {
  const u = new URL(url);
  const mod = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: "POST", rejectUnauthorized: false, headers: { "Content-Type": "text/xml" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    assert.equal(req.getHeader("content-length"), undefined);
    let i = 0;
    const writeNext = () => {
      if (i === pieces.length) return req.end();
      req.write(pieces[i++], () => setImmediate(writeNext));
    };
    writeNext();
  });
}

/** Posts `count` requests one after the other through a one-socket keep-alive agent; returns how many sockets were used. */
async function sequentialOnOneAgent(url: string, body: string, count: number): Promise<{ sockets: number; bodies: string[]; connection: string[] }> {
  const u = new URL(url);
  const mod = u.protocol === "https:" ? https : http;
  const agent = u.protocol === "https:" ? new https.Agent({ keepAlive: true, maxSockets: 1, rejectUnauthorized: false }) : new http.Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<unknown>();
  const bodies: string[] = [];
  const connection: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      await new Promise<void>((resolve, reject) => {
        const req = mod.request({ hostname: u.hostname, port: u.port, path: u.pathname, method: "POST", agent, headers: { "Content-Type": "text/xml" } }, (res) => {
          connection.push(String(res.headers.connection));
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            bodies.push(Buffer.concat(chunks).toString("utf8"));
            resolve();
          });
        });
        req.on("socket", (s) => sockets.add(s));
        req.on("error", reject);
        req.end(body);
      });
    }
  } finally {
    agent.destroy();
  }
  return { sockets: sockets.size, bodies, connection };
}

for (const backend of BACKENDS) {
  for (const transport of TRANSPORTS) {
    describe(`wire (${backend}, ${transport})`, () => {
      let t: TestServer;
      let rpc: RpcClient;
      let url: string;
      const raw = async (body: string | Buffer, headers?: Record<string, string>) => postRaw(url, body, { headers });
      const rawCall = async (method: string, paramsXml: string[]) => {
        const res = await raw(xmlCall(method, paramsXml));
        assert.equal(res.status, 200);
        return res.body;
      };

      before(async () => {
        t = await startTestServer(backend);
        rpc = clientFor(t, transport);
        url = transport === "https" ? t.httpsUrl : t.url;
        await createUser(t, "wire-user", { primary_card: "W-1" });
      });
      after(async () => {
        await t?.close();
      });

      it("the method table serves every method of the users, personal accounts, lookups, account selection and config areas", () => {
        const served = new Set(METHODS.flatMap((m) => [m.name, ...m.aliases]));
        const missing = FOUNDATION_METHODS.filter((m) => !served.has(m));
        assert.deepEqual(missing, []);
        for (const name of FOUNDATION_METHODS) assert.ok(t.server.dispatcher.lookup(name), name);
      });

      it("an unknown method faults with -1 and names it", async () => {
        await assertFault(rpc.call("api.noSuchMethod", "x"), -1, /^java\.lang\.NoSuchMethodException: No method named api\.noSuchMethod exists in the API\.$/);
        await assertFault(rpc.call("api.isuserexists", "x"), -1, /No method named api\.isuserexists/);
      });

      it("a wrong argument count faults with -1, naming the method, the received types and the expected signature", async () => {
        const fault = await assertFault(rpc.call("api.isUserExists"), -1, /^java\.lang\.NoSuchMethodException: api\.isUserExists\(java\.lang\.String\): 0 arguments after the token, but the method takes 1; expected api\.isUserExists\(authToken: string, username: string\)$/);
        assert.ok(fault.faultString.length < 500);
        await assertFault(rpc.call("api.isUserExists", "a", "b"), -1, /api\.isUserExists\(java\.lang\.String, java\.lang\.String, java\.lang\.String\): 2 arguments/);
        await assertFault(
          rpc.call("api.adjustUserAccountBalance", "wire-user", { double: 1 }),
          -1,
          /takes 3 to 4; expected api\.adjustUserAccountBalance\(authToken: string, username: string, adjustment: double, comment: string, \[accountName: string\]\)/,
        );
      });

      it("wrong argument types fault with -1 and the expected signature (property names sent as separate strings, as in PaperCut issue #21)", async () => {
        await assertFault(
          rpc.call("api.getUserProperties", "wire-user", "full-name", "email"),
          -1,
          /^java\.lang\.NoSuchMethodException: api\.getUserProperties\(java\.lang\.String, java\.lang\.String, java\.lang\.String, java\.lang\.String\): /,
        );
        await assertFault(rpc.call("api.isUserExists", 42), -1, /username must be a string; expected api\.isUserExists\(authToken: string, username: string\)/);
        await assertFault(rpc.call("api.adjustUserAccountBalance", "wire-user", "1.5", "c"), -1, /adjustment must be a double/);
        await assertFault(rpc.call("api.listUserAccounts", { double: 0 }, 10), -1, /offset must be an int/);
        await assertFault(rpc.call("api.deleteExistingUser", "nobody", "yes"), -1, /redactUserData must be a boolean/);
        await assertFault(rpc.call("api.getUserProperties", "wire-user", [1, 2]), -1, /propertyNames must be an array of strings/);
      });

      it("<nil/> stands for an omitted optional argument, and for an empty string where a string is required", async () => {
        assert.match(await rawCall("api.getUserAccountBalance", [TOKEN, "wire-user", "<nil/>"]), /<double>0\.0<\/double>/);
        assert.match(await rawCall("api.adjustUserAccountBalance", [TOKEN, "wire-user", "<double>0</double>", "<nil/>", "<nil/>"]), /<boolean>1<\/boolean>/);
        assert.match(await rawCall("api.isUserExists", [TOKEN, "<nil/>"]), /<boolean>0<\/boolean>/);
        const body = await rawCall("api.listUserAccounts", [TOKEN, "<nil/>", "<int>10</int>"]);
        await assert.rejects(parseResponse(body), (e: unknown) => e instanceof Fault && e.faultCode === -1 && /offset must be an int/.test(e.faultString));
      });

      it("accepts <int>, <i4> and <i8> where a double is expected, exactly", async () => {
        await createUser(t, `ints-${transport}`);
        const who = `<string>ints-${transport}</string>`;
        for (const amount of ["<int>2</int>", "<i4>3</i4>", "<i8>-1</i8>", "<double>0.25</double>"]) {
          assert.match(await rawCall("api.adjustUserAccountBalance", [TOKEN, who, amount, "<string>c</string>"]), /<boolean>1<\/boolean>/);
        }
        assert.match(await rawCall("api.getUserAccountBalance", [TOKEN, who]), /<double>4\.25<\/double>/);
        const huge = await rawCall("api.adjustUserAccountBalance", [TOKEN, who, "<i8>9007199254740991</i8>", "<string>c</string>"]);
        await assert.rejects(parseResponse(huge), (e: unknown) => e instanceof Fault && /adjustment 9007199254740991 is out of range/.test(e.faultString));
      });

      it("accepts untyped strings and booleans sent as <int> 0/1", async () => {
        assert.match(await rawCall("api.isUserExists", [TEST_TOKEN, "wire-user"]), /<boolean>1<\/boolean>/);
        assert.match(await rawCall("api.setUserAccountSelectionAutoChargePersonal", [TOKEN, "wire-user", "<int>1</int>"]), /<boolean>1<\/boolean>/);
        assert.equal(await rpc.call("api.getUserProperty", "wire-user", "account-selection.mode"), "CHARGE_TO_PERSONAL_ACCOUNT_WITH_CONFIRMATION");
        const two = await rawCall("api.setUserAccountSelectionAutoChargePersonal", [TOKEN, "wire-user", "<int>2</int>"]);
        await assert.rejects(parseResponse(two), (e: unknown) => e instanceof Fault && e.faultCode === -1);
      });

      it("returns exactly the declared XML-RPC types", async () => {
        assert.match(await rawCall("api.getUserAccountBalance", [TOKEN, "<string>wire-user</string>"]), /<param><value><double>-?\d+\.\d+<\/double><\/value><\/param>/);
        assert.match(await rawCall("api.isUserExists", [TOKEN, "<string>wire-user</string>"]), /<value><boolean>1<\/boolean><\/value>/);
        assert.match(await rawCall("api.getTotalUsers", [TOKEN]), /<value><int>\d+<\/int><\/value>/);
        assert.match(await rawCall("api.getUserProperty", [TOKEN, "<string>wire-user</string>", "<string>restricted</string>"]), /<value><string>false<\/string><\/value>/);
        assert.match(await rawCall("api.listUserAccounts", [TOKEN, "<int>0</int>", "<int>100</int>"]), /<value><array><data>(<value>[^<]*<\/value>)+<\/data><\/array><\/value>/);
        assert.match(await rawCall("api.lookUpUserNameByCardNo", [TOKEN, "<string>nope</string>"]), /<value><string><\/string><\/value>/);
        assert.match(await rawCall("api.lookUpUsersByFullName", [TOKEN, "<string>nope</string>"]), /<value><array><data><\/data><\/array><\/value>/);
      });

      it("escapes text in responses and reads escaped text in requests", async () => {
        const text = `<b> & "q" 'a' ünï ✓ ]]>`;
        assert.equal(await rpc.call("api.setUserProperty", "wire-user", "notes", text), true);
        assert.equal(await rpc.call("api.getUserProperty", "wire-user", "notes"), text);
        const body = await rawCall("api.getUserProperty", [TOKEN, "wire-user", "notes"]);
        assert.ok(body.includes("&lt;b&gt; &amp;"), body);
      });

      it("faults are HTTP 200 text/xml responses with an int faultCode and a string faultString", async () => {
        const res = await raw(methodCallXml("api.getUserAccountBalance", [TEST_TOKEN, "nobody"]));
        assert.equal(res.status, 200);
        assert.match(String(res.headers["content-type"]), /^text\/xml/);
        assert.match(res.body, /<fault><value><struct><member><name>faultCode<\/name><value><int>0<\/int><\/value><\/member><member><name>faultString<\/name><value><string>java\.lang\.IllegalArgumentException: The user with name nobody could not be found\.<\/string>/);
      });

      it("GET and other HTTP methods on the endpoint get 405 with Allow: POST", async () => {
        for (const method of ["GET", "PUT", "DELETE"]) {
          const res = await postRaw(url, "", { method });
          assert.equal(res.status, 405, method);
          assert.equal(res.headers.allow, "POST");
        }
      });

      it("other paths get 404, and a query string on the endpoint is ignored", async () => {
        for (const path of ["/", "/rpc/api/xmlrpc/extra", "/rpc/api/xmlrpcx", "/RPC2", "/rpc/api/XMLRPC", "/papercut/rpc/api/xmlrpc"]) {
          const res = await postRaw(new URL(path, url).toString(), methodCallXml("api.getTotalUsers", [TEST_TOKEN]));
          assert.equal(res.status, 404, path);
        }
        const res = await postRaw(url + "?x=1", methodCallXml("api.isUserExists", [TEST_TOKEN, "wire-user"]));
        assert.match(res.body, /<boolean>1<\/boolean>/);
      });

      it("accepts any XML-like content type (or none) and refuses others with 415", async () => {
        const body = methodCallXml("api.isUserExists", [TEST_TOKEN, "wire-user"]);
        for (const type of ["text/xml", "text/xml; charset=utf-8", "application/xml", "TEXT/XML", "text/plain"]) {
          const res = await raw(body, { "Content-Type": type });
          assert.match(res.body, /<boolean>1<\/boolean>/, type);
        }
        const res = await raw(body, { "Content-Type": "application/json" });
        assert.equal(res.status, 415);
      });

      it("reads a chunked request body sent in pieces", async () => {
        const body = methodCallXml("api.getUserProperties", [TEST_TOKEN, "wire-user", ["primary-card-number", "restricted"]]);
        const pieces = [body.slice(0, 7), body.slice(7, 50), body.slice(50, 51), body.slice(51)];
        const res = await postChunked(url, pieces);
        assert.equal(res.status, 200);
        assert.deepEqual(await parseResponse(res.body), ["W-1", "false"]);
      });

      it("keeps the connection alive across calls", async () => {
        const { sockets, bodies, connection } = await sequentialOnOneAgent(url, methodCallXml("api.isUserExists", [TEST_TOKEN, "wire-user"]), 5);
        assert.equal(sockets, 1);
        assert.equal(bodies.length, 5);
        for (const b of bodies) assert.match(b, /<boolean>1<\/boolean>/);
        for (const c of connection) assert.equal(c, "keep-alive");
      });

      it("answers malformed XML with a -32700 fault", async () => {
        for (const body of ["", "not xml", "<methodCall><methodName>api.x", "<methodCall><methodName>a</methodName></methodCall><x/>"]) {
          const res = await raw(body);
          assert.equal(res.status, 200);
          await assert.rejects(parseResponse(res.body), (e: unknown) => e instanceof Fault && e.faultCode === -32700 && /Failed to parse XML-RPC request/.test(e.faultString), body);
        }
      });

      it("refuses entity tricks through the HTTP route quickly", async () => {
        const entities = Array.from({ length: 10 }, (_, i) => (i === 0 ? '<!ENTITY a0 "lol">' : `<!ENTITY a${i} "${`&a${i - 1};`.repeat(10)}">`)).join("");
        for (const body of [
          `<?xml version="1.0"?><!DOCTYPE x [${entities}]><methodCall><methodName>api.isUserExists</methodName><params><param><value>&a9;</value></param></params></methodCall>`,
          `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><methodCall><methodName>api.isUserExists</methodName><params><param><value>&e;</value></param></params></methodCall>`,
        ]) {
          const started = performance.now();
          const res = await raw(body);
          assert.ok(performance.now() - started < 2000);
          await assert.rejects(parseResponse(res.body), (e: unknown) => e instanceof Fault && e.faultCode === -32700 && /DOCTYPE/.test(e.faultString));
          assert.ok(!res.body.includes("root:"));
        }
      });

      it("refuses a body that is not valid UTF-8", async () => {
        const head = Buffer.from(`<methodCall><methodName>api.isUserExists</methodName><params><param><value>${TEST_TOKEN}</value></param><param><value>`);
        const tail = Buffer.from("</value></param></params></methodCall>");
        for (const bad of [Buffer.from([0xff, 0xfe]), Buffer.from([0xc3]), Buffer.from([0xed, 0xa0, 0x80])]) {
          const res = await raw(Buffer.concat([head, bad, tail]));
          await assert.rejects(parseResponse(res.body), (e: unknown) => e instanceof Fault && e.faultCode === -32700 && /not valid UTF-8/.test(e.faultString));
        }
      });

      it("refuses deep nesting sent over HTTP without crashing", async () => {
        const depth = 100_000;
        const res = await raw(xmlCall("api.isUserExists", [TOKEN, "<array><data><value>".repeat(depth) + "</value></data></array>".repeat(depth)]));
        await assert.rejects(parseResponse(res.body), (e: unknown) => e instanceof Fault && e.faultCode === -32700 && /nesting is deeper than 64/.test(e.faultString));
        assert.equal(await rpc.call("api.isUserExists", "wire-user"), true);
      });

      if (backend === "sqlite") {
        it("answers a 50 MB body with a clear fault, declared or chunked, and keeps serving", async () => {
          const big = Buffer.concat([Buffer.from(`<methodCall><methodName>api.isUserExists</methodName><params><param><value>${TEST_TOKEN}</value></param><param><value>`), Buffer.alloc(50 * 1024 * 1024, 0x61), Buffer.from("</value></param></params></methodCall>")]);
          for (const headers of [{}, { "Transfer-Encoding": "chunked" }] as Array<Record<string, string>>) {
            const res = await postRaw(url, big, { headers });
            assert.equal(res.status, 200);
            assert.equal(res.headers.connection, "close");
            await assert.rejects(parseResponse(res.body), (e: unknown) => e instanceof Fault && e.faultCode === -32700 && /exceeds the limit of 8388608 bytes/.test(e.faultString));
          }
          assert.equal(await rpc.call("api.isUserExists", "wire-user"), true);
        });
      }
    });
  }
}
