#!/usr/bin/env node
// Runs the test suite (node:test over the compiled tests in dist/test). Unless QUIRE_TEST_PG_URL is
// given, starts a throwaway PostgreSQL cluster for the run and removes it afterwards.
//   node scripts/test.js [--long] [filter…]   filters match test file paths
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, chmodSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { createServer } from "node:net";

const args = process.argv.slice(2);
const long = args.includes("--long");
const filters = args.filter((a) => !a.startsWith("--"));
const root = new URL("..", import.meta.url).pathname;

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith(".test.js") ? [path] : [];
  });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const PG_BIN = process.env.QUIRE_PG_BIN ?? "/usr/lib/postgresql/15/bin";
const asRoot = process.getuid?.() === 0;

function runAsPostgres(command, commandArgs) {
  if (!asRoot) return spawnSync(command, commandArgs, { encoding: "utf8" });
  return spawnSync("runuser", ["-u", "postgres", "--", command, ...commandArgs], { encoding: "utf8" });
}

async function startPostgres() {
  if (!existsSync(join(PG_BIN, "initdb"))) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "quire-pg-"));
  chmodSync(dir, 0o777);
  const data = join(dir, "data");
  if (asRoot) spawnSync("chown", ["postgres", dir]);
  const init = runAsPostgres(join(PG_BIN, "initdb"), ["-A", "trust", "-U", "postgres", "-E", "UTF8", "--locale=C.UTF-8", "-D", data]);
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
  const port = await freePort();
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=300 -c shared_buffers=128MB`;
  const start = runAsPostgres(join(PG_BIN, "pg_ctl"), ["-D", data, "-o", opts, "-l", join(dir, "log"), "-w", "start"]);
  if (start.status !== 0) throw new Error(`pg_ctl start failed: ${start.stderr}${start.stdout}`);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      runAsPostgres(join(PG_BIN, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let files = findTests(join(root, "dist", "test")).sort();
if (!long) files = files.filter((f) => !f.endsWith(".long.test.js"));
if (filters.length > 0) files = files.filter((f) => filters.some((flt) => relative(root, f).includes(flt)));
if (files.length === 0) {
  console.error("No test files matched.");
  process.exit(1);
}

let pg;
const env = { ...process.env };
if (!env.QUIRE_TEST_PG_URL && env.QUIRE_TEST_SKIP_PG !== "1") {
  pg = await startPostgres();
  if (pg) env.QUIRE_TEST_PG_URL = pg.url;
  else console.error("PostgreSQL binaries not found: the PostgreSQL variants of the tests will fail. Install postgresql-15 or set QUIRE_TEST_SKIP_PG=1.");
}
if (long) env.QUIRE_TEST_LONG = "1";

const concurrency = env.QUIRE_TEST_CONCURRENCY ?? "2";
const child = spawn(process.execPath, ["--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...files], { stdio: "inherit", env });
const stopAll = () => pg?.stop();
process.on("SIGINT", () => child.kill("SIGINT"));
child.on("exit", (code, signal) => {
  stopAll();
  process.exit(code ?? (signal ? 1 : 0));
});
