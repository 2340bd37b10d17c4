// Scale-out benchmark: balance adjustments against one node and against N nodes on one PostgreSQL,
// reported as throughput ratio N-node/one-node, p50/p99 latency, and each node's RSS at the start and
// end of the sustained load.
//   npm run bench:scale -- --nodes 2 --pg [--duration 20] [--clients 32] [--users 200]
// PostgreSQL: QUIRE_BENCH_PG_URL (a database the bench may create databases in), else a throwaway
// cluster started from /usr/lib/postgresql/15/bin. Loopback only.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import http from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { openContext } from "../src/server/start.js";

const QUIRE = fileURLToPath(new URL("../../bin/quire.js", import.meta.url));
const TOKEN = "bench-token-0123456789";

interface Options {
  nodes: number;
  pg: boolean;
  durationS: number;
  clients: number;
  users: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { nodes: 2, pg: false, durationS: 20, clients: 32, users: 200 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => Number(argv[++i]);
    if (a === "--nodes") o.nodes = next();
    else if (a === "--pg") o.pg = true;
    else if (a === "--duration") o.durationS = next();
    else if (a === "--clients") o.clients = next();
    else if (a === "--users") o.users = next();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!o.pg && o.nodes > 1) throw new Error("several nodes need PostgreSQL: add --pg");
  return o;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function startCluster(): Promise<{ url: string; stop(): void }> {
  const bin = process.env.QUIRE_PG_BIN ?? "/usr/lib/postgresql/15/bin";
  if (!existsSync(join(bin, "initdb"))) throw new Error("PostgreSQL binaries not found; set QUIRE_BENCH_PG_URL");
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]) => (asRoot ? spawnSync("runuser", ["-u", "postgres", "--", cmd, ...args], { encoding: "utf8" }) : spawnSync(cmd, args, { encoding: "utf8" }));
  const dir = mkdtempSync(join(tmpdir(), "quire-bench-pg-"));
  chmodSync(dir, 0o777);
  if (asRoot) spawnSync("chown", ["postgres", dir]);
  const data = join(dir, "data");
  const init = run(join(bin, "initdb"), ["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "-D", data]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const started = run(join(bin, "pg_ctl"), ["-D", data, "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c max_connections=200`, "-l", join(dir, "log"), "-w", "start"]);
  if (started.status !== 0) throw new Error(`pg_ctl failed: ${started.stderr}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function createDatabase(base: string, name: string): Promise<string> {
  const c = new pg.Client({ connectionString: base });
  await c.connect();
  await c.query(`drop database if exists ${name} with (force)`);
  await c.query(`create database ${name}`);
  await c.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  return url.toString();
}

async function prepare(dataDir: string, postgresUrl: string | undefined, users: number): Promise<void> {
  const app = await openContext({ dataDir, postgresUrl });
  try {
    await app.config.set("auth.webservices.auth-token", JSON.stringify({ bench: TOKEN }));
    await app.db.write(async (trx) => {
      for (let i = 0; i < users; i++) await app.users.createUser(trx, { username: `u${i}`, source: "api" }, { application: "bench" });
    });
  } finally {
    await app.close();
  }
}

interface Node {
  child: ChildProcess;
  port: number;
}

async function startNode(dataDir: string, postgresUrl: string | undefined): Promise<Node> {
  const args = [QUIRE, "serve", "--data-dir", dataDir, "--host", "127.0.0.1", "--http-port", "0", "--https-port", "0", "--log-level", "warn"];
  if (postgresUrl) args.push("--postgres-url", postgresUrl);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  for (;;) {
    const m = /http:\/\/localhost:(\d+)\//.exec(out);
    if (m) return { child, port: Number(m[1]) };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error("node did not start");
    await new Promise((r) => setTimeout(r, 25));
  }
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : NaN;
}

function post(agent: http.Agent, port: number, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/rpc/api/xmlrpc", method: "POST", agent, headers: { "Content-Type": "text/xml", "Content-Length": Buffer.byteLength(body) } }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (data += c));
      res.on("end", () => resolve(data));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const adjustment = (user: string, seq: number) =>
  `<?xml version="1.0"?><methodCall><methodName>api.adjustUserAccountBalance</methodName><params><param><value><string>${TOKEN}</string></value></param><param><value><string>${user}</string></value></param><param><value><double>0.01</double></value></param><param><value><string>bench ${seq}</string></value></param></params></methodCall>`;

interface Phase {
  nodes: number;
  requests: number;
  errors: number;
  throughput: number;
  p50: number;
  p99: number;
  rss: Array<{ start: number; end: number; samples: number[] }>;
}

async function runPhase(o: Options, nodeCount: number, base: string | undefined, index: number): Promise<Phase> {
  const dirs = Array.from({ length: nodeCount }, () => mkdtempSync(join(tmpdir(), "quire-bench-")));
  const url = base ? await createDatabase(base, `quire_scale_${index}`) : undefined;
  await prepare(dirs[0], url, o.users);
  const nodes: Node[] = [];
  try {
    for (const d of dirs) nodes.push(await startNode(d, url));
    const agents = nodes.map(() => new http.Agent({ keepAlive: true, maxSockets: o.clients }));
    let seq = 0;
    const latencies: number[] = [];
    let errors = 0;
    const loop = async (client: number, until: number, record: boolean) => {
      const n = client % nodes.length;
      while (Date.now() < until) {
        const s = seq++;
        const started = performance.now();
        try {
          const body = await post(agents[n], nodes[n].port, adjustment(`u${s % o.users}`, s));
          if (!body.includes("<boolean>1</boolean>")) errors++;
        } catch {
          errors++;
        }
        if (record) latencies.push(performance.now() - started);
      }
    };
    // Warm up (JIT, pools, caches) before the measured run.
    const warm = Date.now() + 3000;
    await Promise.all(Array.from({ length: o.clients }, (_, c) => loop(c, warm, false)));
    const rssStart = nodes.map((n) => rssMiB(n.child.pid!));
    const t0 = performance.now();
    const until = Date.now() + o.durationS * 1000;
    // RSS of each node at every tenth of the run, to tell a leak from warming up to a steady state.
    const samples: number[][] = nodes.map(() => []);
    const sampler = setInterval(() => nodes.forEach((n, i) => samples[i].push(rssMiB(n.child.pid!))), (o.durationS * 1000) / 10);
    await Promise.all(Array.from({ length: o.clients }, (_, c) => loop(c, until, true)));
    clearInterval(sampler);
    const elapsed = (performance.now() - t0) / 1000;
    const rssEnd = nodes.map((n) => rssMiB(n.child.pid!));
    latencies.sort((a, b) => a - b);
    const pct = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] * 10) / 10;
    for (const a of agents) a.destroy();
    return {
      nodes: nodeCount,
      requests: latencies.length,
      errors,
      throughput: Math.round(latencies.length / elapsed),
      p50: pct(0.5),
      p99: pct(0.99),
      rss: rssStart.map((s, i) => ({ start: s, end: rssEnd[i], samples: samples[i] })),
    };
  } finally {
    for (const n of nodes) {
      n.child.kill("SIGTERM");
      await new Promise((r) => (n.child.exitCode !== null ? r(undefined) : n.child.once("exit", r)));
    }
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  let cluster: { url: string; stop(): void } | undefined;
  let base: string | undefined;
  if (o.pg) {
    base = process.env.QUIRE_BENCH_PG_URL;
    if (!base) {
      cluster = await startCluster();
      base = cluster.url;
    }
  }
  try {
    const phases: Phase[] = [await runPhase(o, 1, base, 1)];
    if (o.nodes > 1) phases.push(await runPhase(o, o.nodes, base, 2));
    console.log(`adjustUserAccountBalance, ${o.clients} clients, ${o.users} users, ${o.durationS} s each, ${o.pg ? "PostgreSQL" : "SQLite"}`);
    for (const p of phases) {
      const rss = p.rss.map((r, i) => `node ${i + 1} ${r.start}→${r.end} MiB (samples ${r.samples.join(" ")})`).join(", ");
      console.log(`${p.nodes} node(s): ${p.throughput} req/s, p50 ${p.p50} ms, p99 ${p.p99} ms, ${p.requests} requests, ${p.errors} errors; RSS ${rss}`);
    }
    if (phases.length > 1) console.log(`throughput ratio ${o.nodes}-node/1-node: ${(phases[1].throughput / phases[0].throughput).toFixed(2)}`);
    console.log(JSON.stringify({ options: o, phases }));
  } finally {
    cluster?.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
