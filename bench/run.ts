// `npm run bench`: starts Quire fresh (SQLite, temp data dir, 127.0.0.1) next to two baselines — a bare
// node:http server answering constant responses of the same size (the ceiling) and Python's stdlib
// SimpleXMLRPCServer serving the read methods from a dict — and drives all three with wrk, in short
// interleaved slices so machine noise hits them alike. Prints requests/s, p50 and p99 with ratios.
//   node dist/bench/run.js [--quick] [--slice SECONDS] [--rounds N] [--only isUserExists,…] [--profile DIR] [--json FILE]
// Needs the Debian packages wrk and python3 (the bench is not part of CI).
import { fork, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { CommitStats } from "../src/db/group-commit.js";
import { BODY_VARIANTS, encodeBodies, post, repo, RPC_PATH, runWrk, send, SHAPES, stopChildren, USER_COUNT, waitFor, type Shape, type Slice, type Target } from "./load.js";

const here = fileURLToPath(new URL(".", import.meta.url));
// ---------------------------------------------------------------------------------------------
// Options

interface Options {
  sliceSeconds: number;
  rounds: number;
  profileDir?: string;
  jsonFile?: string;
  only?: string[];
}

function parseOptions(argv: string[]): Options {
  // Five rounds: with three, the ratio of one method moved by up to ±15 % between whole runs on this machine.
  const options: Options = { sliceSeconds: 2, rounds: 5 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new Error(`${arg} needs a value`);
      return value;
    };
    if (arg === "--quick") Object.assign(options, { sliceSeconds: 1, rounds: 1 });
    else if (arg === "--slice") options.sliceSeconds = positive(arg, next());
    else if (arg === "--rounds") options.rounds = positive(arg, next());
    else if (arg === "--profile") options.profileDir = next();
    else if (arg === "--json") options.jsonFile = next();
    else if (arg === "--only") options.only = next().split(",");
    else throw new Error(`Unknown option ${arg}; use --quick, --slice S, --rounds N, --only NAME,…, --profile DIR, --json FILE`);
  }
  // Bounded: at most a few minutes whatever the flags say.
  options.sliceSeconds = Math.min(options.sliceSeconds, 5);
  options.rounds = Math.min(options.rounds, 5);
  return options;
}

function positive(flag: string, text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} takes a whole number of at least 1`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// The workloads

// ---------------------------------------------------------------------------------------------
// Child processes

function startPython(token: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn("python3", [join(repo, "bench", "python", "dict-server.py"), token, String(USER_COUNT)], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the Python server did not start within 20 s")), 20_000);
    let out = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n")[0];
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve({ child, port: Number(line) });
      }
    });
    child.on("exit", (code) => reject(new Error(`the Python server exited (code ${code})`)));
    child.on("error", reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Load

// ---------------------------------------------------------------------------------------------
// Results

interface Measurement {
  shape: string;
  connections: number;
  target: Target;
  slices: Slice[];
}

interface Summary {
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  /** Server CPU time per request (all threads of the server process). */
  cpuUsPerRequest: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Throughput over all slices together; latency percentiles as the median of the slices' percentiles. */
function summarise(slices: Slice[]): Summary {
  const requests = slices.reduce((n, s) => n + s.requests, 0);
  const seconds = slices.reduce((n, s) => n + s.durationUs, 0) / 1e6;
  return {
    perSecond: requests / seconds,
    p50Ms: median(slices.map((s) => s.p50Us)) / 1000,
    p99Ms: median(slices.map((s) => s.p99Us)) / 1000,
    errors: slices.reduce((n, s) => n + s.errors + s.non2xx, 0),
    cpuUsPerRequest: slices.reduce((n, s) => n + s.serverCpuUs, 0) / Math.max(1, requests),
  };
}

function machine(): Record<string, string> {
  const wrk = spawnSync("wrk", ["--version"], { encoding: "utf8" });
  const python = spawnSync("python3", ["--version"], { encoding: "utf8" });
  return {
    cpus: String(cpus().length),
    cpu: cpus()[0]?.model ?? "unknown",
    node: process.version,
    wrk: (wrk.stdout + wrk.stderr).split("\n")[0].trim(),
    python: python.stdout.trim(),
  };
}

const pad = (text: string, width: number) => (text.length >= width ? text : text + " ".repeat(width - text.length));
const padLeft = (text: string, width: number) => (text.length >= width ? text : " ".repeat(width - text.length) + text);
const fmt = (n: number, digits = 0) => n.toFixed(digits);

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (spawnSync("wrk", ["--version"]).error) throw new Error("wrk is not installed (Debian: apt-get install wrk)");
  const token = randomBytes(16).toString("hex");
  const work = mkdtempSync(join(tmpdir(), "quire-bench-run-"));
  const children: ChildProcess[] = [];
  try {
    const started = Date.now();
    console.log("Encoding request bodies with Python's xmlrpc.client…");
    const bodies = new Map<string, string[]>();
    const shapes = SHAPES.filter((shape) => !options.only || options.only.includes(shape.name));
    if (shapes.length === 0) throw new Error(`--only names none of ${SHAPES.map((s) => s.name).join(", ")}`);
    for (const shape of SHAPES) {
      const variants = shape.name === "listUserAccounts" ? 1 : BODY_VARIANTS;
      const encoded = encodeBodies(
        token,
        Array.from({ length: variants }, (_, i) => ({ method: shape.method, params: shape.params(i) })),
      );
      bodies.set(shape.name, encoded);
      writeFileSync(join(work, `${shape.name}.bodies`), encoded.join("\0"));
    }

    console.log(`Starting Quire (SQLite, ${USER_COUNT} users) and the Python baseline…`);
    const profileArgs = options.profileDir ? [options.profileDir] : [];
    const quire = fork(join(here, "quire-server.js"), [token, String(USER_COUNT), ...profileArgs], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children.push(quire);
    const quirePort = (await waitFor(quire, "ready", 120_000)).port;
    const python = await startPython(token);
    children.push(python.child);

    const urls: Record<Target, (shape: Shape) => string> = {
      quire: () => `http://127.0.0.1:${quirePort}${RPC_PATH}`,
      python: () => `http://127.0.0.1:${python.port}${RPC_PATH}`,
      ceiling: (shape) => `http://127.0.0.1:${ceilingPort}/${shape.name}`,
    };

    // Check every target answers correctly, and capture Quire's responses for the ceiling.
    const responses: Record<string, string> = {};
    for (const shape of SHAPES) {
      const body = bodies.get(shape.name)![0];
      const xml = await post(urls.quire(shape), body);
      if (!shape.expect(xml)) throw new Error(`Quire answered ${shape.method} unexpectedly:\n${xml.slice(0, 500)}`);
      responses[`/${shape.name}`] = xml;
      if (shape.targets.includes("python")) {
        const py = await post(urls.python(shape), body);
        if (py.includes("<fault>") || (shape.name === "isUserExists" && !shape.expect(py))) throw new Error(`Python answered ${shape.method} unexpectedly:\n${py.slice(0, 500)}`);
      }
    }
    const ceiling = fork(join(here, "ceiling-server.js"), [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children.push(ceiling);
    send(ceiling, { type: "responses", responses });
    const ceilingPort = (await waitFor(ceiling, "ready", 20_000)).port;

    const stats = async (): Promise<CommitStats> => {
      send(quire, { type: "stats" });
      return (await waitFor(quire, "stats", 10_000)).stats;
    };

    console.log("Warming up…");
    const pids: Record<Target, number> = { quire: quire.pid!, ceiling: ceiling.pid!, python: python.child.pid! };
    for (const shape of shapes) for (const target of shape.targets) runWrk(urls[target](shape), 16, 1, join(work, `${shape.name}.bodies`), pids[target]);

    const measurements: Measurement[] = [];
    const batching = new Map<number, { commits: number; units: number }>();
    for (const shape of shapes) {
      for (const connections of shape.connections) {
        const rows = shape.targets.map((target) => ({ shape: shape.name, connections, target, slices: [] as Slice[] }));
        measurements.push(...rows);
        process.stdout.write(`${pad(shape.label, 26)} ${padLeft(String(connections), 3)} connections `);
        for (let round = 0; round < options.rounds; round++) {
          for (const row of rows) {
            const before = row.target === "quire" && shape.name.startsWith("adjust") ? await stats() : undefined;
            row.slices.push(runWrk(urls[row.target](shape), connections, options.sliceSeconds, join(work, `${shape.name}.bodies`), pids[row.target]));
            if (before) {
              const after = await stats();
              const sum = batching.get(connections) ?? { commits: 0, units: 0 };
              sum.commits += after.commits - before.commits;
              sum.units += after.units - before.units;
              batching.set(connections, sum);
            }
            process.stdout.write(".");
          }
        }
        process.stdout.write("\n");
      }
    }

    // Report
    const info = machine();
    console.log(`\nMachine: ${info.cpus} CPUs (${info.cpu}), Node ${info.node}, ${info.wrk}, ${info.python}`);
    console.log(`Method: wrk -t1, ${options.rounds} round(s) of ${options.sliceSeconds} s slices per target, targets interleaved; one server process each; 127.0.0.1.`);
    console.log("Latency: the median over slices of each slice's p50 / p99. Ratios are Quire's requests/s over the baseline's.");
    console.log("cpu µs/req: CPU time of each server process per request (Quire / ceiling / Python), less sensitive to a busy machine.\n");
    const header = [
      pad("method", 26),
      padLeft("conns", 5),
      padLeft("quire/s", 9),
      padLeft("p50 ms", 7),
      padLeft("p99 ms", 7),
      padLeft("ceiling/s", 10),
      padLeft("×ceil", 6),
      padLeft("python/s", 9),
      padLeft("×py", 6),
      padLeft("cpu µs/req q/c/py", 18),
      "  targets",
    ].join(" ");
    console.log(header);
    console.log("-".repeat(header.length + 10));
    const report: Array<Record<string, unknown>> = [];
    let missed = 0;
    let errors = 0;
    for (const shape of shapes) {
      for (const connections of shape.connections) {
        const of = (target: Target) => measurements.find((m) => m.shape === shape.name && m.connections === connections && m.target === target);
        const q = summarise(of("quire")!.slices);
        const c = summarise(of("ceiling")!.slices);
        const p = of("python") ? summarise(of("python")!.slices) : undefined;
        errors += q.errors + c.errors + (p?.errors ?? 0);
        const ceilRatio = q.perSecond / c.perSecond;
        const pyRatio = p ? q.perSecond / p.perSecond : undefined;
        const verdicts: string[] = [];
        if (connections === 16 && shape.ceilingTarget !== undefined) verdicts.push(verdict(`≥${shape.ceilingTarget}×ceil`, ceilRatio >= shape.ceilingTarget));
        if (connections === 16 && shape.pythonTarget !== undefined && pyRatio !== undefined) verdicts.push(verdict(`≥${shape.pythonTarget}×py`, pyRatio >= shape.pythonTarget));
        if (shape.absoluteTarget && shape.absoluteTarget.connections === connections) verdicts.push(verdict(`≥${shape.absoluteTarget.perSecond}/s`, q.perSecond >= shape.absoluteTarget.perSecond));
        missed += verdicts.filter((v) => v.startsWith("MISS")).length;
        const batch = shape.name.startsWith("adjust") ? batching.get(connections) : undefined;
        if (batch) verdicts.push(`${fmt(batch.units / Math.max(1, batch.commits), 1)} units/commit`);
        console.log(
          [
            pad(shape.label, 26),
            padLeft(String(connections), 5),
            padLeft(fmt(q.perSecond), 9),
            padLeft(fmt(q.p50Ms, 2), 7),
            padLeft(fmt(q.p99Ms, 2), 7),
            padLeft(fmt(c.perSecond), 10),
            padLeft(fmt(ceilRatio, 2), 6),
            padLeft(p ? fmt(p.perSecond) : "-", 9),
            padLeft(pyRatio !== undefined ? fmt(pyRatio, 1) : "-", 6),
            padLeft(`${fmt(q.cpuUsPerRequest)}/${fmt(c.cpuUsPerRequest)}/${p ? fmt(p.cpuUsPerRequest) : "-"}`, 18),
            "  " + verdicts.join(", "),
          ].join(" "),
        );
        report.push({ method: shape.method, connections, quire: q, ceiling: c, python: p, ceilingRatio: ceilRatio, pythonRatio: pyRatio, groupCommit: batch });
      }
    }
    const responseSizes = Object.fromEntries(Object.entries(responses).map(([path, xml]) => [path.slice(1), Buffer.byteLength(xml)]));
    console.log(`\nResponse sizes (bytes, Quire = ceiling): ${Object.entries(responseSizes).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    console.log("Group commit: WAL; each batch commits with synchronous=NORMAL and its WAL is fdatasynced before any unit is acknowledged (FULL's durability).");
    console.log("units/commit = adjustments per durable commit during the Quire slices.");
    if (errors > 0) console.log(`WARNING: ${errors} socket errors, timeouts or non-2xx responses during the run.`);
    console.log(`${missed === 0 ? "All targets met." : `${missed} target(s) missed.`} Whole run: ${fmt((Date.now() - started) / 1000)} s.`);
    if (options.jsonFile) writeFileSync(options.jsonFile, JSON.stringify({ machine: info, options, responseSizes, results: report }, null, 2) + "\n");
  } finally {
    await stopChildren(children);
    rmSync(work, { recursive: true, force: true });
  }
}

function verdict(label: string, ok: boolean): string {
  return `${ok ? "ok" : "MISS"} ${label}`;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
