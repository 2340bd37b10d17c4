// CPU cost of the request pipeline without HTTP: parse, token check, dispatch, service, SQLite, encode.
// "listUserAccounts uncached" drops the SQLite page cache before every call (the cost after a change).
// Runs in one process against a fresh SQLite data directory with the benchmark's users, calling the
// dispatcher with the same request bodies as `npm run bench`, N calls in flight at a time. CPU time per
// call is steadier than requests/s on a busy machine, so it is the figure to compare code changes by.
//   node dist/bench/dispatch-cost.js [--concurrency N] [--rounds N] [--only isUserExists,adjust…]
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { KNOWN_KEYS } from "../src/config/defaults.js";
import { Dispatcher } from "../src/rpc/dispatcher.js";
import { METHODS } from "../src/rpc/methods.js";
import { openContext } from "../src/server/start.js";
import { benchUser } from "./protocol.js";
import { costLine, cpuCostPerCall } from "./cpu-cost.js";

const repo = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const TOKEN = "dispatch-cost-token";
const USERS = 10_000;
const PROPERTIES = ["full-name", "email", "department", "office", "balance", "restricted", "primary-card-number", "print-stats.job-count", "disabled-print", "notes"];
const CALLS: Array<{ label: string; method: string; params: unknown[]; calls: number }> = [
  { label: "isUserExists", method: "api.isUserExists", params: ["user00042"], calls: 4000 },
  { label: "getUserProperties (10)", method: "api.getUserProperties", params: ["user00042", PROPERTIES], calls: 4000 },
  { label: "listUserAccounts(0, 1000)", method: "api.listUserAccounts", params: [0, 1000], calls: 400 },
  { label: "listUserAccounts uncached", method: "api.listUserAccounts", params: [0, 1000], calls: 400 },
  { label: "adjustUserAccountBalance", method: "api.adjustUserAccountBalance", params: ["user00042", 0.25, "bench"], calls: 4000 },
];

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1 || value > 1000) throw new Error(`${name} takes a whole number from 1 to 1000`);
  return value;
}

async function main(): Promise<void> {
  const concurrency = option("--concurrency", 16);
  const rounds = Math.min(option("--rounds", 3), 10);
  const input = JSON.stringify(CALLS.map((c) => ({ method: c.method, params: [TOKEN, ...c.params] })));
  const encoded = spawnSync("python3", [join(repo, "bench", "python", "request-bodies.py")], { input, encoding: "utf8" });
  if (encoded.status !== 0) throw new Error(`encoding request bodies failed: ${encoded.stderr}`);
  const bodies = JSON.parse(encoded.stdout) as string[];

  const dataDir = mkdtempSync(join(tmpdir(), "quire-dispatch-"));
  const app = await openContext({ dataDir });
  try {
    await app.config.set(KNOWN_KEYS.authToken, JSON.stringify({ bench: TOKEN }));
    await app.db.write(async (trx) => {
      for (let i = 1; i <= USERS; i++) {
        const u = benchUser(i);
        await app.users.createUser(trx, { username: u.username, source: "internal", full_name: u.fullName, email: u.email, department: u.department, office: u.office, primary_card: u.card }, { application: "bench" });
      }
    });
    const dispatcher = new Dispatcher(app, METHODS);
    console.log(`CPU µs per call, ${concurrency} in flight, best of ${rounds} rounds (Node ${process.version}):`);
    const only = process.argv.includes("--only") ? process.argv[process.argv.indexOf("--only") + 1].split(",") : undefined;
    for (const [i, call] of CALLS.entries()) {
      if (only && !only.some((name) => call.label.startsWith(name))) continue;
      const body = bodies[i];
      const check = await dispatcher.dispatch(body, "127.0.0.1");
      if (check.faultCode !== undefined) throw new Error(`${call.method} faulted: ${check.xml}`);
      const uncached = call.label.endsWith("uncached");
      const costs = await cpuCostPerCall(
        () => {
          if (uncached) app.users.forgetCachedLists();
          return dispatcher.dispatch(body, "127.0.0.1");
        },
        { calls: call.calls, concurrency, rounds },
      );
      console.log(costLine(call.label, costs));
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
