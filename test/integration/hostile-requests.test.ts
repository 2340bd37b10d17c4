// Hand-written hostile requests over real HTTP: entity bombs, external entities, deep nesting, gigantic
// strings, invalid UTF-8, truncated bodies, wrong content types, pipelining. Each must end quickly in a
// well-formed answer (or a closed connection for a request that never completes) and leave the server
// serving.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { Fault, methodCallXml, parseResponse, postRaw } from "../support/rpc-client.js";
import { startTestServer, TEST_TOKEN, type TestServer } from "../support/server.js";
import { withDeadline } from "../support/wait.js";

const DEADLINE_MS = 10_000;

async function faultOf(t: TestServer, body: string | Buffer, contentType = "text/xml"): Promise<Fault> {
  const res = await withDeadline(postRaw(t.url, body, { headers: { "Content-Type": contentType } }), DEADLINE_MS, "the request");
  assert.equal(res.status, 200, res.body);
  const error = await parseResponse(res.body).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(error instanceof Fault, `expected a fault, got ${res.body.slice(0, 200)}`);
  return error;
}

const call = (method: string, ...args: Parameters<typeof methodCallXml>[1]) => methodCallXml(method, [TEST_TOKEN, ...args]);

/** Writes raw bytes on one connection and collects everything until the server closes or `until` matches. */
function rawConversation(port: number, chunks: Array<string | Buffer>, options: { endWrite?: boolean; until?: (data: string) => boolean } = {}): Promise<string> {
  return withDeadline(
    new Promise((resolve) => {
      const socket = net.connect(port, "127.0.0.1");
      let data = "";
      const finish = () => {
        socket.destroy();
        resolve(data);
      };
      socket.on("data", (d: Buffer) => {
        data += d.toString("utf8");
        if (options.until?.(data)) finish();
      });
      socket.on("error", () => undefined);
      socket.on("close", () => resolve(data));
      socket.on("connect", () => {
        for (const c of chunks) socket.write(c);
        if (options.endWrite) socket.end();
      });
    }),
    DEADLINE_MS,
    "the raw conversation",
  );
}

for (const backend of BACKENDS) {
  describe(`hostile requests over HTTP (${backend})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
      await t.rpc.call("api.addNewInternalUser", "victim", "pw", "Victim", "", "", "");
    });
    after(async () => {
      await t?.close();
    });

    it("refuses a billion-laughs entity bomb at once", async () => {
      const lol = ['<!ENTITY lol "lol">', ...Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ""};`.repeat(10)}">`)].join("");
      const body = `<?xml version="1.0"?><!DOCTYPE methodCall [${lol}]><methodCall><methodName>api.isUserExists</methodName><params><param><value>${TEST_TOKEN}</value></param><param><value>&lol9;</value></param></params></methodCall>`;
      const started = Date.now();
      const fault = await faultOf(t, body);
      assert.equal(fault.faultCode, -32700);
      assert.match(fault.faultString, /DOCTYPE/);
      assert.ok(Date.now() - started < 2000);
    });

    it("refuses external entities and never reads the file", async () => {
      const body = `<?xml version="1.0"?><!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>api.isUserExists</methodName><params><param><value>${TEST_TOKEN}</value></param><param><value>&xxe;</value></param></params></methodCall>`;
      const fault = await faultOf(t, body);
      assert.equal(fault.faultCode, -32700);
      assert.doesNotMatch(fault.faultString, /root:/);
      // An entity reference without any declaration is refused too.
      const bare = await faultOf(t, call("api.isUserExists", "x").replace("<string>x</string>", "<string>&xxe;</string>"));
      assert.equal(bare.faultCode, -32700);
    });

    it("refuses deep nesting without exhausting the stack", async () => {
      const depth = 100_000;
      const body = `<?xml version="1.0"?><methodCall><methodName>api.isUserExists</methodName><params><param><value>${"<array><data><value>".repeat(depth)}x${"</value></data></array>".repeat(depth)}</value></param></params></methodCall>`;
      const fault = await faultOf(t, body);
      assert.equal(fault.faultCode, -32700);
      assert.match(fault.faultString, /deeper than 64/);
    });

    it("answers a gigantic string within the body limit and refuses one beyond it", async () => {
      const huge = "a".repeat(7 * 1024 * 1024);
      const res = await withDeadline(postRaw(t.url, call("api.isUserExists", huge)), DEADLINE_MS, "the gigantic request");
      assert.equal(await parseResponse(res.body), false);
      const over = await faultOf(t, call("api.isUserExists", "a".repeat(9 * 1024 * 1024)));
      assert.equal(over.faultCode, -32700);
      assert.match(over.faultString, /exceeds the limit/);
    });

    it("refuses invalid UTF-8", async () => {
      const [head, tail] = call("api.isUserExists", "MARK").split("MARK");
      const fault = await faultOf(t, Buffer.concat([Buffer.from(head), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from(tail)]));
      assert.equal(fault.faultCode, -32700);
      assert.match(fault.faultString, /not valid UTF-8/);
    });

    it("refuses truncated XML, and drops a connection whose body never arrives in full", async () => {
      const body = call("api.adjustUserAccountBalance", "victim", { double: 5 }, "truncated");
      for (const cut of [10, body.length / 2, body.length - 5]) assert.equal((await faultOf(t, body.slice(0, cut))).faultCode, -32700);
      // Content-Length promises more than is sent, then the client stops writing: nothing is applied.
      const head = `POST /rpc/api/xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${body.length}\r\n\r\n`;
      const answer = await rawConversation(t.server.httpPort, [head, body.slice(0, body.length - 20)], { endWrite: true });
      assert.doesNotMatch(answer, /<boolean>1<\/boolean>/);
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "victim"), 0);
    });

    it("refuses wrong content types with 415 and other verbs with 405", async () => {
      for (const type of ["application/json", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "image/png"]) {
        const res = await postRaw(t.url, call("api.getTotalUsers"), { headers: { "Content-Type": type } });
        assert.equal(res.status, 415, type);
      }
      assert.equal((await postRaw(t.url, "", { method: "GET" })).status, 405);
      assert.equal((await postRaw(t.url.replace("/rpc/api/xmlrpc", "/nowhere"), call("api.getTotalUsers"))).status, 404);
    });

    it("answers pipelined requests on one connection, in order", async () => {
      const requests = [call("api.isUserExists", "victim"), call("api.isUserExists", "nobody"), call("api.getTotalUsers"), "<methodCall>"];
      const wire = requests.map((b) => `POST /rpc/api/xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(b)}\r\n\r\n${b}`).join("");
      const data = await rawConversation(t.server.httpPort, [wire], { until: (d) => (d.match(/<\/methodResponse>/g) ?? []).length === requests.length });
      const bodies = data.split(/HTTP\/1\.1 200 OK\r\n/).slice(1).map((r) => r.slice(r.indexOf("\r\n\r\n") + 4));
      assert.equal(bodies.length, 4);
      assert.equal(await parseResponse(bodies[0]), true);
      assert.equal(await parseResponse(bodies[1]), false);
      assert.equal(await parseResponse(bodies[2]), 1);
      await assert.rejects(parseResponse(bodies[3]), (e: unknown) => e instanceof Fault && e.faultCode === -32700);
    });

    it("keeps serving after all of the above", async () => {
      assert.equal(await t.rpc.call("api.isUserExists", "victim"), true);
    });
  });
}
