import assert from "node:assert/strict";
import net from "node:net";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { Fault, methodCallXml, parseResponse, postRaw } from "../support/rpc-client.js";
import { startTestServer, TEST_TOKEN, type TestServer } from "../support/server.js";
import { withDeadline } from "../support/wait.js";

async function callVia(t: TestServer, options: { forwardedFor?: string; from?: string }): Promise<unknown> {
  const headers: Record<string, string> = options.forwardedFor !== undefined ? { "X-Forwarded-For": options.forwardedFor } : {};
  const res = await postRaw(t.url, methodCallXml("api.getTotalUsers", [TEST_TOKEN]), { headers, localAddress: options.from });
  assert.equal(res.status, 200);
  return parseResponse(res.body);
}

async function faultCodeVia(t: TestServer, options: { forwardedFor?: string; from?: string }): Promise<number | "ok"> {
  try {
    await callVia(t, options);
    return "ok";
  } catch (error) {
    if (error instanceof Fault) return error.faultCode;
    throw error;
  }
}

for (const backend of BACKENDS) {
  describe(`HTTP edge: forwarded addresses and rate limits (${backend})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => {
      await t?.close();
    });

    it("ignores X-Forwarded-For unless the connection comes from a trusted proxy", async () => {
      const config = t.server.app.config;
      await config.set("auth.webservices.allowed-addresses", "10.1.1.1");
      try {
        // No trusted proxies: the socket address (127.0.0.1) is checked and the header cannot help.
        assert.equal(await faultCodeVia(t, { forwardedFor: "10.1.1.1" }), 403);
        await config.set("auth.webservices.trusted-proxies", "127.0.0.1");
        assert.equal(await faultCodeVia(t, { forwardedFor: "10.1.1.1" }), "ok");
        assert.equal(await faultCodeVia(t, { forwardedFor: "10.2.2.2" }), 403);
        // A client that forges the left part of the header is still seen at its real hop.
        assert.equal(await faultCodeVia(t, { forwardedFor: "10.1.1.1, 10.2.2.2" }), 403);
        assert.equal(await faultCodeVia(t, {}), 403);
        // 127.0.0.2 is not a trusted proxy: its header is ignored.
        assert.equal(await faultCodeVia(t, { forwardedFor: "10.1.1.1", from: "127.0.0.2" }), 403);
      } finally {
        await config.set("auth.webservices.trusted-proxies", "");
        await config.set("auth.webservices.allowed-addresses", "127.0.0.1,::1,127.0.0.2,127.0.0.3");
      }
    });

    it("refuses a trusted-proxies value that does not parse", async () => {
      await assert.rejects(t.server.app.config.set("auth.webservices.trusted-proxies", "10.0.0.0/99"), /invalid netmask/);
      await assert.rejects(t.server.app.config.set("auth.webservices.rate-limit", "lots"), /must be a number/);
    });

    it("limits requests per caller address with a clear fault, leaving other callers alone", async () => {
      const config = t.server.app.config;
      await config.set("auth.webservices.rate-limit", "2");
      await config.set("auth.webservices.rate-limit-burst", "3");
      try {
        const codes = [];
        for (let i = 0; i < 4; i++) codes.push(await faultCodeVia(t, { from: "127.0.0.3" }));
        assert.deepEqual(codes, ["ok", "ok", "ok", 429]);
        const fault = await callVia(t, { from: "127.0.0.3" }).catch((e: unknown) => e);
        assert.ok(fault instanceof Fault);
        assert.match(fault.faultString, /^Too many requests from 127\.0\.0\.3: the limit is 2 a second; try again in \d+ ms\.$/);
        assert.equal(await faultCodeVia(t, { from: "127.0.0.2" }), "ok");
        // Behind a trusted proxy the limit applies per forwarded client, not to the proxy as a whole.
        await config.set("auth.webservices.trusted-proxies", "127.0.0.3");
        await config.set("auth.webservices.allowed-addresses", "*");
        assert.equal(await faultCodeVia(t, { from: "127.0.0.3", forwardedFor: "10.7.7.7" }), "ok");
      } finally {
        await config.set("auth.webservices.rate-limit", "0");
        await config.set("auth.webservices.trusted-proxies", "");
        await config.set("auth.webservices.allowed-addresses", "127.0.0.1,::1");
      }
      assert.equal(await faultCodeVia(t, {}), "ok");
    });
  });
}

/** Opens a raw connection, runs `drive` on it, and resolves with what the server sent once it closes. */
function rawExchange(port: number, drive: (socket: net.Socket, closed: () => boolean) => Promise<void> | void): Promise<{ data: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect(port, "127.0.0.1");
    let data = "";
    let closed = false;
    socket.on("data", (d: Buffer) => (data += d.toString("latin1")));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      closed = true;
      resolve({ data, closedAfterMs: Date.now() - started });
    });
    socket.on("connect", () => {
      Promise.resolve(drive(socket, () => closed)).catch(reject);
    });
  });
}

describe("HTTP edge: slow and oversized clients are cut off", () => {
  let t: TestServer;
  before(async () => {
    // Short limits so the test is fast; production uses the same mechanism with longer times.
    t = await startTestServer("sqlite", { httpLimits: { headersTimeoutMs: 600, requestTimeoutMs: 1200, checkIntervalMs: 100, keepAliveTimeoutMs: 1000 } });
  });
  after(async () => {
    await t?.close();
  });
  const port = () => t.server.httpPort;

  it("closes a slow-loris connection that trickles headers past the headers timeout", async () => {
    const result = await withDeadline(
      rawExchange(port(), async (socket, closed) => {
        socket.write("POST /rpc/api/xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        // A valid header value, one byte every 50 ms, for at most 10 s, until the server hangs up.
        socket.write("X-Slow: ");
        for (let i = 0; i < 200 && !closed(); i++) {
          socket.write("a");
          await new Promise((r) => setTimeout(r, 50));
        }
      }),
      10_000,
      "the slow-loris connection",
    );
    assert.ok(result.closedAfterMs < 5000, `closed after ${result.closedAfterMs} ms`);
    assert.match(result.data, /^HTTP\/1\.1 408|^$/);
  });

  it("closes a connection that trickles its body past the request timeout", async () => {
    const result = await withDeadline(
      rawExchange(port(), async (socket, closed) => {
        socket.write("POST /rpc/api/xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: 100000\r\n\r\n<?xml");
        for (let i = 0; i < 200 && !closed(); i++) {
          socket.write(" ");
          await new Promise((r) => setTimeout(r, 50));
        }
      }),
      10_000,
      "the slow-body connection",
    );
    assert.ok(result.closedAfterMs < 5000, `closed after ${result.closedAfterMs} ms`);
  });

  it("answers 431 to oversized headers and closes the connection", async () => {
    const result = await withDeadline(
      rawExchange(port(), (socket) => {
        socket.write(`POST /rpc/api/xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
      }),
      5_000,
      "the oversized-header connection",
    );
    assert.match(result.data, /^HTTP\/1\.1 431/);
  });

  it("answers 431 to a flood of small headers (beyond the first 100, headers are not even kept)", async () => {
    const headers = Array.from({ length: 20_000 }, (_, i) => `X-H${i}: v`).join("\r\n");
    const result = await withDeadline(
      rawExchange(port(), (socket) => {
        socket.write(`POST /rpc/api/xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n\r\n`);
      }),
      5_000,
      "the header-flood connection",
    );
    assert.match(result.data, /^HTTP\/1\.1 431/);
  });

  it("still serves ordinary callers afterwards", async () => {
    assert.equal(await t.rpc.call("api.getTotalUsers"), 0);
  });
});

// Answers that finish in the same event-loop turn are written together at its end (turn-batch.ts):
// every answer must still reach its own request, in request order on a pipelined connection.
describe("HTTP edge: answers written at the end of the turn", () => {
  let t: TestServer;
  before(async () => {
    t = await startTestServer("sqlite");
    for (const name of ["alice", "bob"]) await t.rpc.call("api.addNewInternalUser", name, "pw", `${name} full`, "", "", "");
  });
  after(async () => {
    await t?.close();
  });

  it("gives each of many concurrent calls its own answer", async () => {
    const calls = Array.from({ length: 300 }, (_, i) => {
      const name = ["alice", "bob", `nobody${i}`][i % 3];
      if (i % 2 === 0) return { body: methodCallXml("api.isUserExists", [TEST_TOKEN, name]), expect: !name.startsWith("nobody") };
      if (name.startsWith("nobody")) return { body: methodCallXml("api.getUserProperty", [TEST_TOKEN, name, "full-name"]), expect: "fault" };
      return { body: methodCallXml("api.getUserProperty", [TEST_TOKEN, name, "full-name"]), expect: `${name} full` };
    });
    const answers = await withDeadline(
      Promise.all(
        calls.map(async (call) => {
          const res = await postRaw(t.url, call.body);
          assert.equal(Number(res.headers["content-length"]), Buffer.byteLength(res.body));
          return parseResponse(res.body).catch((error: unknown) => (error instanceof Fault ? "fault" : Promise.reject(error)));
        }),
      ),
      20_000,
      "300 concurrent calls",
    );
    assert.deepEqual(
      answers,
      calls.map((c) => c.expect),
    );
  });

  it("answers pipelined requests on one connection in order", async () => {
    const names = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? "alice" : `nobody${i}`));
    const requests = names
      .map((name) => {
        const body = methodCallXml("api.isUserExists", [TEST_TOKEN, name]);
        return `POST /rpc/api/xmlrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/xml\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
      })
      .join("");
    const result = await withDeadline(
      rawExchange(t.server.httpPort, (socket) => {
        let seen = "";
        socket.on("data", (d: Buffer) => {
          seen += d.toString("latin1");
          if (seen.split("</methodResponse>").length - 1 >= names.length) socket.end();
        });
        socket.write(requests);
      }),
      10_000,
      "the pipelined connection",
    );
    const answers = [...result.data.matchAll(/<boolean>([01])<\/boolean>/g)].map((m) => m[1] === "1");
    assert.deepEqual(
      answers,
      names.map((name) => name === "alice"),
    );
  });
});

