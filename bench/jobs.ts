// Benchmark for the job log: api.processJob throughput over real HTTP (each job logged and charged in one
// durable transaction; on SQLite concurrent jobs share a group commit) and api.listPrinters(0, 1000) over
// 5,000 printers. Not a test: prints figures for docs/benchmarks.md.
//   node dist/bench/jobs.js [--jobs N] [--clients C] [--postgres URL]
import http from "node:http";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { startServer } from "../src/server/start.js";

const TOKEN = "bench-token-0123456789";

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function callXml(method: string, params: string[]): string {
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param><value>${p}</value></param>`).join("")}</params></methodCall>`;
}

function post(port: number, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/rpc/api/xmlrpc", method: "POST", agent, headers: { "Content-Type": "text/xml" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end(body);
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
}

interface LoadSpec {
  port: number;
  kind: "processJob" | "adjust";
  count: number;
  clients: number;
}

function requestBody(kind: LoadSpec["kind"], i: number): string {
  const token = `<string>${TOKEN}</string>`;
  if (kind === "adjust") return callXml("api.adjustUserAccountBalance", [token, `<string>user${i % 200}</string>`, "<double>0.01</double>", "<string>bench</string>"]);
  const details = `user=user${i % 200},server=ps1,printer=Printer ${i % 20},total-pages=${1 + (i % 7)},total-color-pages=${i % 2},document-name=doc-${i}.pdf,client-ip=10.0.0.${i % 250}`;
  return callXml("api.processJob", [token, `<string>${escapeXml(details)}</string>`]);
}

/** Runs `count` calls from `clients` concurrent connections; returns calls per second and sorted latencies. */
async function generateLoad(spec: LoadSpec): Promise<{ perSecond: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: spec.clients }, async () => {
      for (;;) {
        const i = next++;
        if (i >= spec.count) return;
        const t0 = performance.now();
        const body = await post(spec.port, requestBody(spec.kind, i));
        if (!body.includes("<boolean>1</boolean>")) throw new Error(`${spec.kind} failed: ${body}`);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return { perSecond: spec.count / ((performance.now() - started) / 1000), latencies };
}

/** The load runs in a worker thread, so the clients do not share the server's event loop. */
function loadInWorker(spec: LoadSpec): Promise<{ perSecond: number; latencies: number[] }> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: spec });
    worker.once("message", resolve);
    worker.once("error", reject);
  });
}

async function main(): Promise<void> {
  const jobs = Number(option("jobs", "6000"));
  const clients = Number(option("clients", "32"));
  const postgresUrl = option("postgres", "") || undefined;
  const dataDir = mkdtempSync(join(tmpdir(), "quire-bench-jobs-"));
  const server = await startServer({ dataDir, postgresUrl, host: "127.0.0.1", httpPort: 0 });
  try {
    await server.app.config.set("auth.webservices.auth-token", JSON.stringify({ bench: TOKEN }));
    const port = server.httpPort;
    const token = `<string>${TOKEN}</string>`;
    const processJob = async (details: string): Promise<void> => {
      const body = await post(port, callXml("api.processJob", [token, `<string>${escapeXml(details)}</string>`]));
      if (!body.includes("<boolean>1</boolean>")) throw new Error(`processJob failed: ${body}`);
    };

    // 200 users on 20 printers; every job computes its cost from the printer's simple model.
    for (let p = 0; p < 20; p++) await server.app.printers.registerPrinter("ps1", `Printer ${p}`);
    for (let p = 0; p < 20; p++) await server.app.printers.setPrinterCostSimple("ps1", `Printer ${p}`, 50_000);
    for (let i = 0; i < 400; i++) await processJob(`user=user${i % 200},server=ps1,printer=Printer ${i % 20},total-pages=1`);

    // Baseline in the same run: the simplest durable write, one balance adjustment per call.
    const baseline = await loadInWorker({ port, kind: "adjust", count: jobs, clients });
    const load = await loadInWorker({ port, kind: "processJob", count: jobs, clients });
    const latencies = load.latencies;
    const logged = await server.app.db.kysely
      .selectFrom("jobs")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    console.log(
      JSON.stringify({
        bench: "processJob",
        backend: server.app.db.dialect,
        jobs,
        clients,
        jobsPerSecond: Math.round(load.perSecond),
        baselineAdjustmentsPerSecond: Math.round(baseline.perSecond),
        ratioToBaseline: Number((load.perSecond / baseline.perSecond).toFixed(2)),
        p50ms: Number(percentile(latencies, 50).toFixed(2)),
        p99ms: Number(percentile(latencies, 99).toFixed(2)),
        jobRowsLogged: Number(logged.n),
      }),
    );

    // 5,000 printers (the 20 above included), then listPrinters(0, 1000) calls.
    await server.app.db.write(async (trx) => {
      for (let i = 0; i < 4980; i++) await server.app.printers.printerForJob(trx, `srv${i % 10}`, `queue-${String(i).padStart(5, "0")}`);
    });
    const listBody = callXml("api.listPrinters", [token, "<int>0</int>", "<int>1000</int>"]);
    const first = await post(port, listBody);
    const entries = (first.match(/<value>/g) ?? []).length - 1;
    const rounds = 50;
    const t0 = performance.now();
    for (let i = 0; i < rounds; i++) await post(port, listBody);
    const ms = (performance.now() - t0) / rounds;
    console.log(JSON.stringify({ bench: "listPrinters(0,1000)", backend: server.app.db.dialect, printers: 5001, entriesReturned: entries, msPerCall: Number(ms.toFixed(2)), callsPerSecond: Math.round(1000 / ms) }));
  } finally {
    await server.close();
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMainThread) await main();
else {
  const result = await generateLoad(workerData as LoadSpec);
  agent.destroy();
  parentPort?.postMessage(result);
}
