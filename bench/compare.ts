// Compares builds of Quire under the same load: `node dist/bench/compare.js DIR_A DIR_B …`, where each DIR
// is a checkout with its own `npm run build` (DIR_A is the baseline). Starts --instances bench servers of
// each build (a fresh SQLite data directory and the benchmark's 10,000 users each), then drives them all
// with wrk in interleaved slices, the order reversed every other round, and prints each build's
// requests/s, its ratio to the baseline and its CPU µs per request. On a shared machine one server
// process can run several percent faster or slower than another of the same build, so changes of a few
// percent need several processes of each; compare builds this way, not across separate runs. Naming the
// same directory twice (an A/A run) shows how far apart two groups of one build land.
//   node dist/bench/compare.js [--shape isUserExists] [--connections 16] [--instances 3] [--rounds 6] [--slice 2] DIR…
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { BODY_VARIANTS, encodeBodies, RPC_PATH, runWrk, SHAPES, stopChildren, USER_COUNT, waitFor } from "./load.js";

interface Options {
  shape: string;
  connections: number;
  instances: number;
  rounds: number;
  slice: number;
  dirs: string[];
}

function parseOptions(argv: string[]): Options {
  const options: Options = { shape: "isUserExists", connections: 16, instances: 3, rounds: 6, slice: 2, dirs: [] };
  const whole = (flag: string, text: string | undefined, max: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`${flag} takes a whole number from 1 to ${max}`);
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--shape") options.shape = argv[++i] ?? "";
    else if (arg === "--connections") options.connections = whole(arg, argv[++i], 256);
    else if (arg === "--instances") options.instances = whole(arg, argv[++i], 4);
    else if (arg === "--rounds") options.rounds = whole(arg, argv[++i], 20);
    else if (arg === "--slice") options.slice = whole(arg, argv[++i], 5);
    else if (arg.startsWith("--")) throw new Error(`Unknown option ${arg}`);
    else options.dirs.push(resolve(arg));
  }
  if (!SHAPES.some((s) => s.name === options.shape)) throw new Error(`--shape is one of ${SHAPES.map((s) => s.name).join(", ")}`);
  if (options.dirs.length < 2 || options.dirs.length > 4) throw new Error("Name two to four build directories (the first is the baseline).");
  return options;
}

interface Server {
  /** Index of the build in the command line (the same directory may be named twice). */
  build: number;
  dir: string;
  child: ChildProcess;
  port: number;
  requests: number;
  durationUs: number;
  cpuUs: number;
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const shape = SHAPES.find((s) => s.name === options.shape)!;
  const token = randomBytes(16).toString("hex");
  const work = mkdtempSync(join(tmpdir(), "quire-compare-"));
  const bodiesFile = join(work, "bodies");
  const variants = shape.name === "listUserAccounts" ? 1 : BODY_VARIANTS;
  writeFileSync(bodiesFile, encodeBodies(token, Array.from({ length: variants }, (_, i) => ({ method: shape.method, params: shape.params(i) }))).join("\0"));
  const servers: Server[] = [];
  try {
    for (let n = 0; n < options.instances; n++) {
      for (const [build, dir] of options.dirs.entries()) {
        const child = fork(join(dir, "dist", "bench", "quire-server.js"), [token, String(USER_COUNT)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
        servers.push({ build, dir, child, port: 0, requests: 0, durationUs: 0, cpuUs: 0 });
        servers[servers.length - 1].port = (await waitFor(child, "ready", 120_000)).port;
      }
    }
    const url = (s: Server) => `http://127.0.0.1:${s.port}${RPC_PATH}`;
    for (const s of servers) runWrk(url(s), options.connections, 1, bodiesFile, s.child.pid!);
    for (let round = 0; round < options.rounds; round++) {
      for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
        const slice = runWrk(url(s), options.connections, options.slice, bodiesFile, s.child.pid!);
        if (slice.errors + slice.non2xx > 0) throw new Error(`${slice.errors + slice.non2xx} failed requests against ${s.dir}`);
        s.requests += slice.requests;
        s.durationUs += slice.durationUs;
        s.cpuUs += slice.serverCpuUs;
      }
      process.stdout.write(".");
    }
    process.stdout.write("\n");
    const rate = (list: Server[]) => (list.reduce((n, s) => n + s.requests, 0) / list.reduce((n, s) => n + s.durationUs, 0)) * 1e6;
    const baseline = rate(servers.filter((s) => s.build === 0));
    console.log(`${shape.label}, ${options.connections} connections, ${options.instances} server(s) per build, ${options.rounds} rounds of ${options.slice} s slices`);
    for (const [build, dir] of options.dirs.entries()) {
      const own = servers.filter((s) => s.build === build);
      const cpu = own.reduce((n, s) => n + s.cpuUs, 0) / own.reduce((n, s) => n + s.requests, 0);
      const each = own.map((s) => ((s.requests / s.durationUs) * 1e6).toFixed(0)).join(" ");
      console.log(`${rate(own).toFixed(0).padStart(8)}/s  ×${(rate(own) / baseline).toFixed(3)}  ${cpu.toFixed(1)} µs CPU/req  [${each}]  ${dir}`);
    }
  } finally {
    await stopChildren(servers.map((s) => s.child));
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
