// Two Quire nodes on one PostgreSQL database, in this process: config propagation within the documented
// bound, the allowed-callers and token checks on current config, and races between nodes.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { startServer, type RunningServer } from "../../src/server/start.js";
import { BACKENDS, createPostgresDatabase } from "../support/backends.js";
import { Fault, RpcClient } from "../support/rpc-client.js";
import { TEST_ADMIN_PASSWORD, TEST_TOKEN } from "../support/server.js";
import { assertAuditClean } from "../support/audit.js";
import { waitFor } from "../support/wait.js";

const REFRESH_MS = 300;
/** The documented bound: the refresh interval plus one reload query; generous for a loaded machine. */
const BOUND_MS = REFRESH_MS + 2700;

if (BACKENDS.includes("postgres")) {
  describe("two nodes on one PostgreSQL", () => {
    let drop: () => Promise<void>;
    const nodes: RunningServer[] = [];
    const dirs: string[] = [];
    let a: RpcClient;
    let b: RpcClient;

    before(async () => {
      const db = await createPostgresDatabase();
      drop = db.drop;
      for (let i = 0; i < 2; i++) {
        const dataDir = mkdtempSync(join(tmpdir(), "quire-node-"));
        dirs.push(dataDir);
        nodes.push(await startServer({ dataDir, postgresUrl: db.url, host: "127.0.0.1", httpPort: 0, configRefreshMs: REFRESH_MS }));
      }
      await nodes[0].app.security.changeAdminPassword(TEST_ADMIN_PASSWORD);
      await nodes[0].app.config.set("auth.webservices.auth-token", JSON.stringify({ tests: TEST_TOKEN }));
      [a, b] = nodes.map((n) => new RpcClient(`http://127.0.0.1:${n.httpPort}/rpc/api/xmlrpc`, TEST_TOKEN));
      await waitFor("node B to see the token", () => b.call("api.getTotalUsers").then(() => true, () => false), BOUND_MS);
    });
    after(async () => {
      for (const n of nodes) await n.close();
      await drop?.();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });

    it("a config value set through one node is seen by the other within the refresh bound", async () => {
      const started = Date.now();
      await a.call("api.setConfigValue", "site.motd", "hello from A");
      await waitFor("node B to see the value", async () => (await b.call("api.getConfigValue", "site.motd")) === "hello from A", BOUND_MS, 10);
      assert.ok(Date.now() - started <= BOUND_MS);
    });

    it("a new token set through one node works on the other, and the old one stops working, within the bound", async () => {
      await b.call("api.getTotalUsers");
      await a.call("api.setConfigValue", "auth.webservices.auth-token", JSON.stringify({ rotated: "rotated-token-abc" }));
      const rotated = b.withToken("rotated-token-abc");
      await waitFor("node B to accept the new token", () => rotated.call("api.getTotalUsers").then(() => true, () => false), BOUND_MS, 10);
      const fault = await b.fault("api.getTotalUsers");
      assert.equal(fault.faultCode, 401);
      await rotated.call("api.setConfigValue", "auth.webservices.auth-token", JSON.stringify({ tests: TEST_TOKEN }));
      await waitFor("node B to accept the test token again", () => b.call("api.getTotalUsers").then(() => true, () => false), BOUND_MS, 10);
    });

    it("an admin password changed on one node stops working on the other within the bound", async () => {
      const admin = b.withToken(TEST_ADMIN_PASSWORD);
      await admin.call("api.getTotalUsers"); // node B now remembers the verified password
      await nodes[0].app.security.changeAdminPassword("a-new-admin-password");
      await waitFor("node B to refuse the old admin password", () => admin.call("api.getTotalUsers").then(() => false, (e: unknown) => e instanceof Fault && e.faultCode === 401), BOUND_MS + 2000, 50);
      assert.equal(await b.withToken("a-new-admin-password").call("api.getTotalUsers"), 0);
    });

    it("the allowed-callers list changed through one node applies on the other within the bound", async () => {
      const other = b.from("127.0.0.2");
      await a.call("api.setConfigValue", "auth.webservices.allowed-addresses", "127.0.0.1,::1,127.0.0.2");
      await waitFor("node B to allow 127.0.0.2", () => other.call("api.getTotalUsers").then(() => true, () => false), BOUND_MS, 10);
      await a.call("api.setConfigValue", "auth.webservices.allowed-addresses", "127.0.0.1,::1");
      await waitFor("node B to refuse 127.0.0.2", () => other.call("api.getTotalUsers").then(() => false, (e: unknown) => e instanceof Fault && e.faultCode === 403), BOUND_MS, 10);
    });

    it("creating the same user through both nodes at once: one succeeds, the others get a Conflict fault", async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).call("api.addNewInternalUser", "racer", "pw", "Racer", "", "", "").then(() => "ok", (e: unknown) => e)),
      );
      assert.equal(outcomes.filter((o) => o === "ok").length, 1);
      for (const o of outcomes.filter((x) => x !== "ok")) {
        assert.ok(o instanceof Fault, String(o));
        assert.equal(o.faultCode, 0, o.faultString);
        assert.match(o.faultString, /already exists/);
      }
    });

    it("first use of a named personal account through both nodes at once creates it once and loses no adjustment", async () => {
      await Promise.all(Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).call("api.adjustUserAccountBalance", "racer", 1, `named ${i}`, "Lab")));
      assert.equal(await a.call("api.getUserAccountBalance", "racer", "Lab"), 12);
      await assertAuditClean(nodes[0].app);
    });

    it("setUserAccountBalance racing adjustments on both nodes leaves every balance equal to its ledger", async () => {
      await a.call("api.addNewInternalUser", "setter", "pw", "Setter", "", "", "");
      const calls = Array.from({ length: 40 }, (_, i) =>
        i % 5 === 0
          ? (i % 2 ? a : b).call("api.setUserAccountBalance", "setter", 100, `set ${i}`)
          : (i % 2 ? a : b).call("api.adjustUserAccountBalance", "setter", { double: 0.25 }, `adj ${i}`),
      );
      await Promise.all(calls);
      await assertAuditClean(nodes[1].app);
      const balance = (await a.call("api.getUserAccountBalance", "setter")) as number;
      assert.ok(balance >= 100 && balance <= 108 && (balance * 4) % 1 === 0, String(balance));
    });
  });
}
