// CPU cost of api.processJob without HTTP, split by stage: the job string parser alone, the jobs service
// (lookups, cost, job row, ledger row, counters, group commit on SQLite), and the whole dispatcher call
// (XML parse, token, coercion, service, audit entry, encode), next to api.adjustUserAccountBalance
// through the same dispatcher. Runs in one process against a fresh SQLite data directory with the job
// benchmark's 200 users and 20 printers, N calls in flight at a time. CPU time per call is steadier than
// jobs/s on a busy machine, so it is the figure to compare code changes by.
//   node dist/bench/job-cost.js [--concurrency N] [--rounds N] [--calls N] [--only LABEL]
// Profile: node --cpu-prof --cpu-prof-dir DIR dist/bench/job-cost.js --only service
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KNOWN_KEYS } from "../src/config/defaults.js";
import { parseJobDetails } from "../src/jobs/job-details.js";
import { Dispatcher } from "../src/rpc/dispatcher.js";
import { METHODS } from "../src/rpc/methods.js";
import { openContext } from "../src/server/start.js";
import { costLine, cpuCostPerCall } from "./cpu-cost.js";

const TOKEN = "job-cost-token";

function option(name: string, fallback: number, max = 1000): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${name} takes a whole number from 1 to ${max}`);
  return value;
}

function textOption(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function callXml(method: string, params: string[]): string {
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${params.map((p) => `<param><value>${p}</value></param>`).join("")}</params></methodCall>`;
}

/** The job string of bench/jobs.ts: 200 users, 20 printers, 1–7 pages, every other job in colour. */
function jobDetails(i: number): string {
  return `user=user${i % 200},server=ps1,printer=Printer ${i % 20},total-pages=${1 + (i % 7)},total-color-pages=${i % 2},document-name=doc-${i}.pdf,client-ip=10.0.0.${i % 250}`;
}

async function main(): Promise<void> {
  const concurrency = option("--concurrency", 16);
  const rounds = Math.min(option("--rounds", 3), 10);
  const calls = option("--calls", 3000, 100_000);
  const only = textOption("--only");

  const dataDir = mkdtempSync(join(tmpdir(), "quire-job-cost-"));
  const app = await openContext({ dataDir });
  try {
    await app.config.set(KNOWN_KEYS.authToken, JSON.stringify({ bench: TOKEN }));
    for (let p = 0; p < 20; p++) await app.printers.registerPrinter("ps1", `Printer ${p}`);
    for (let p = 0; p < 20; p++) await app.printers.setPrinterCostSimple("ps1", `Printer ${p}`, 50_000);
    for (let i = 0; i < 200; i++) await app.jobs.processJob(`user=user${i},server=ps1,printer=Printer ${i % 20},total-pages=1`, { application: "bench" });
    const dispatcher = new Dispatcher(app, METHODS);
    const token = `<string>${TOKEN}</string>`;
    const jobBody = (i: number) => callXml("api.processJob", [token, `<string>${escapeXml(jobDetails(i))}</string>`]);
    const adjustBody = (i: number) => callXml("api.adjustUserAccountBalance", [token, `<string>user${i % 200}</string>`, "<double>0.01</double>", "<string>bench</string>"]);
    const dispatch = async (body: string) => {
      const outcome = await dispatcher.dispatch(body, "127.0.0.1");
      if (outcome.faultCode !== undefined || !outcome.xml.includes("<boolean>1</boolean>")) throw new Error(`call failed: ${outcome.xml}`);
    };

    const stages: Array<{ label: string; call: (i: number) => unknown }> = [
      { label: "parse", call: (i) => parseJobDetails(jobDetails(i)) },
      {
        label: "service",
        call: async (i) => {
          const outcome = await app.jobs.processJob(jobDetails(i), { application: "bench" });
          if (outcome.status !== "CHARGED") throw new Error(`job ${i} was ${outcome.status}`);
        },
      },
      { label: "dispatch", call: (i) => dispatch(jobBody(i)) },
      { label: "baseline", call: (i) => dispatch(adjustBody(i)) },
    ];
    console.log(`CPU µs per call, ${concurrency} in flight, ${calls} calls, best of ${rounds} rounds (Node ${process.version}):`);
    const labels: Record<string, string> = {
      parse: "parseJobDetails",
      service: "jobs.processJob (service)",
      dispatch: "api.processJob (dispatcher)",
      baseline: "api.adjustUserAccountBalance",
    };
    for (const stage of stages) {
      if (only !== undefined && stage.label !== only) continue;
      const costs = await cpuCostPerCall(stage.call, { calls, concurrency, rounds });
      console.log(costLine(labels[stage.label], costs, 32));
    }
    const stats = app.db.commitStats();
    if (stats) console.log(`Group commit over the run: ${stats.units} units in ${stats.commits} commits.`);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
