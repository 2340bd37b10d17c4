import assert from "node:assert/strict";
import { mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ManualClock } from "../../src/kernel/clock.js";
import { METHODS } from "../../src/rpc/methods.js";
import { HEALTH_KEY_CONFIG } from "../../src/server/health.js";
import { BACKENDS } from "../support/backends.js";
import { postRaw } from "../support/rpc-client.js";
import { startTestServer, type TestServer } from "../support/server.js";

const served = (name: string) => METHODS.some((m) => m.name === name);
const START = Date.UTC(2026, 0, 5, 8, 0, 0);

for (const backend of BACKENDS) {
  describe(`health API and metrics (${backend})`, () => {
    let t: TestServer;
    let base: string;
    let key: string;
    const clock = new ManualClock(START);
    /** GET with the health key, another Authorization value, or (null) none. */
    const get = async (path: string, auth: string | null = key) => {
      const res = await postRaw(base + path, "", { method: "GET", headers: auth === null ? {} : { Authorization: auth } });
      return { status: res.status, type: String(res.headers["content-type"]), body: res.body, json: () => JSON.parse(res.body) as Record<string, unknown> };
    };
    /** The value of one sample line of the Prometheus text, or 0 when absent. */
    const sample = (text: string, series: string): number => {
      const line = text.split("\n").find((l) => l.startsWith(series + " "));
      return line ? Number(line.slice(series.length + 1)) : 0;
    };

    before(async () => {
      t = await startTestServer(backend, { clock });
      base = `http://127.0.0.1:${t.server.httpPort}`;
      key = t.server.app.config.get(HEALTH_KEY_CONFIG);
    });
    after(async () => {
      await t?.close();
    });

    it("a health key is created at first start and is required on every endpoint", async () => {
      assert.ok(key.length >= 24);
      for (const path of ["/api/health", "/api/health/status", "/api/health/printers", "/metrics"]) {
        assert.equal((await get(path, null)).status, 401, path);
        assert.equal((await get(path, "wrong-key")).status, 401, path);
        assert.equal((await get(path)).status, 200, path);
      }
      assert.equal((await get(`/api/health/status?Authorization=${encodeURIComponent(key)}`, null)).status, 200);
      const refused = await get("/api/health", "Bearer " + key);
      assert.equal(refused.status, 401, "the key is sent raw, without a scheme");
      assert.match(refused.json().error as string, /health\.api\.key/);
    });

    it("the status endpoints answer {status, message|comment} with 200 when OK and 500 otherwise", async () => {
      const overall = await get("/api/health/status");
      assert.equal(overall.status, 200);
      assert.equal(overall.json().status, "OK");
      assert.equal(typeof overall.json().message, "string");
      const server = await get("/api/health/application-server/status?disk-threshold-mb=1");
      assert.deepEqual(Object.keys(server.json()).sort(), ["comment", "status"]);
      assert.equal(server.status, 200);
      const full = await get("/api/health/application-server/status?disk-threshold-mb=999999999999");
      assert.equal(full.status, 500);
      assert.match(full.json().status as string, /Low disk space/);
      assert.equal((await get("/api/health/database/status")).json().status, "OK");
      assert.equal((await get("/api/health/site-servers/status")).status, 200);
      assert.equal((await get("/api/health/print-providers/status")).status, 200);
      assert.equal((await get("/api/health/no-such-thing")).status, 404);
    });

    it("the snapshot reports version, uptime, database, backups, tasks and printers", async () => {
      const snap = (await get("/api/health")).json() as {
        applicationServer: { systemInfo: { version: string; uptimeSeconds: number } };
        database: { status: string; type: string };
        backups: { lastBackup: string | null };
        tasks: { available: boolean };
        printers: unknown[];
        devices: unknown[];
        printerCounts: { total: number };
        license: { devices: object };
      };
      assert.match(snap.applicationServer.systemInfo.version, /^\d+\.\d+\.\d+ /);
      assert.equal(snap.database.status, "OK");
      assert.equal(snap.database.type, backend);
      assert.equal(snap.backups.lastBackup, null);
      assert.equal(snap.tasks.available, served("api.getTaskStatus"));
      assert.ok(Array.isArray(snap.printers) && Array.isArray(snap.devices));
      assert.equal(snap.printerCounts.total, snap.printers.length);
      assert.deepEqual(snap.license.devices, {});
    });

    it("uptime and the last backup move with time and new backup files", async () => {
      const before = (await get("/api/health")).json() as { applicationServer: { systemInfo: { uptimeSeconds: number } } };
      clock.advance(90_000);
      const dir = join(t.dataDir, "backups");
      mkdirSync(dir, { recursive: true });
      const file = join(dir, "export-2026-01-05T08-01-00.zip");
      writeFileSync(file, "PK");
      utimesSync(file, new Date(START + 60_000), new Date(START + 60_000));
      const after = (await get("/api/health")).json() as { applicationServer: { systemInfo: { uptimeSeconds: number } }; backups: { lastBackup: string; file: string; ageHours: number } };
      assert.equal(after.applicationServer.systemInfo.uptimeSeconds - before.applicationServer.systemInfo.uptimeSeconds, 90);
      assert.equal(after.backups.file, "export-2026-01-05T08-01-00.zip");
      assert.equal(after.backups.lastBackup, new Date(START + 60_000).toISOString());
      assert.ok(after.backups.ageHours >= 0 && after.backups.ageHours < 0.02);
    });

    it("printers: /api/health/printers lists {name, status, heldJobsCount}", async () => {
      const res = await get("/api/health/printers");
      assert.equal(res.status, 200);
      const body = res.json() as { printers: Array<Record<string, unknown>> };
      assert.ok(Array.isArray(body.printers));
      for (const p of body.printers) assert.deepEqual(Object.keys(p).sort(), ["heldJobsCount", "name", "status"]);
      assert.deepEqual((await get("/api/health/devices")).json(), { devices: [] });
      assert.deepEqual((await get("/api/health/print-providers")).json(), { printProviders: [] });
    });

    it(
      "printers: a job makes its printer appear and a disabled printer is NOT_AVAILABLE",
      { skip: !(served("api.processJob") && served("api.listPrinters") && served("api.disablePrinter")) && "not yet served: api.processJob, api.listPrinters, api.disablePrinter" },
      async () => {
        await t.rpc.call("api.addNewInternalUser", "hp", "pw", "", "", "", "");
        await t.rpc.call("api.processJob", "user=hp,server=ps01,printer=Health Lab,total-pages=1,cost=0.10");
        let printers = ((await get("/api/health/printers")).json() as { printers: Array<{ name: string; status: string }> }).printers;
        assert.equal(printers.find((p) => p.name === "ps01\\Health Lab")?.status, "OK");
        await t.rpc.call("api.disablePrinter", "ps01", "Health Lab", -1);
        printers = ((await get("/api/health/printers")).json() as { printers: Array<{ name: string; status: string }> }).printers;
        assert.equal(printers.find((p) => p.name === "ps01\\Health Lab")?.status, "NOT_AVAILABLE");
        const id = await t.rpc.call<string>("api.getPrinterProperty", "ps01", "Health Lab", "printer-id");
        const one = await get(`/api/health/printers/${id}/status`);
        assert.equal(one.status, 500);
        assert.match(one.json().comment as string, /Health Lab/);
      },
    );

    it("/metrics counts calls and faults per method and by code, with latencies and database timings", async () => {
      const first = await get("/metrics");
      assert.equal(first.status, 200);
      assert.match(first.type, /^text\/plain; version=0\.0\.4/);
      const calls = (text: string) => sample(text, 'quire_api_requests_total{method="api.isUserExists"}');
      const faults = (text: string) => sample(text, 'quire_api_faults_by_code_total{code="0"}');
      const queries = (text: string) => sample(text, "quire_db_query_duration_seconds_count");
      await t.rpc.call("api.isUserExists", "nobody");
      await t.rpc.call("api.isUserExists", "nobody");
      await t.rpc.fault("api.getUserAccountBalance", "nobody");
      await t.rpc.call("api.adjustUserAccountBalance", "hp-metrics-none", 1, "x").catch(() => undefined);
      await t.rpc.fault("api.noSuchMethod");
      const second = (await get("/metrics")).body;
      assert.equal(calls(second) - calls(first.body), 2);
      assert.ok(faults(second) - faults(first.body) >= 1);
      assert.ok(queries(second) > queries(first.body));
      assert.ok(sample(second, 'quire_api_request_duration_seconds_count{method="api.isUserExists"}') >= 2);
      assert.ok(sample(second, 'quire_api_request_duration_seconds_bucket{method="api.isUserExists",le="+Inf"}') >= 2);
      assert.ok(sample(second, 'quire_api_requests_total{method="(unknown)"}') >= 1, "unknown names share one series");
      assert.ok(!second.includes("api.noSuchMethod"));
      assert.match(second, /^quire_build_info\{version="\d+\.\d+\.\d+",database="(sqlite|postgres)"\} 1$/m);
      assert.match(second, /^# TYPE quire_db_write_duration_seconds histogram$/m);
    });
  });
}
