// Benchmark of the background imports and the directory sync against a fresh embedded-SQLite server
// (or PostgreSQL with QUIRE_BENCH_PG_URL): PaperCut's loadSharedAccounts.py file (20 parents × 500
// sub-accounts), a user import file, and a sync from a slapd loaded with a fixture directory. Sizes can
// be lowered on a busy machine: QUIRE_BENCH_USERS (default 100,000), QUIRE_BENCH_LDAP_USERS (10,000);
// QUIRE_BENCH_ONLY=shared,users,ldap runs only the parts named (add "updates" to import the users file
// again with every user changed).
// Run: npm run build && node dist/bench/imports.js
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { startServer } from "../src/server/start.js";
import { RpcClient } from "../test/support/rpc-client.js";
import { fixtureLdif, LDAP_ADMIN_DN, LDAP_ADMIN_PASSWORD, LDAP_SUFFIX, startSlapd } from "../test/support/slapd.js";

const TOKEN = "bench-token-0123456789";
const USERS = Number(process.env.QUIRE_BENCH_USERS ?? 100_000);
const LDAP_USERS = Number(process.env.QUIRE_BENCH_LDAP_USERS ?? 10_000);
/** Which parts to run (comma-separated: shared, users, ldap); all by default. */
const ONLY = new Set((process.env.QUIRE_BENCH_ONLY ?? "shared,users,ldap").split(",").map((s) => s.trim()));

async function writeLines(path: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) if (!out.write(line(i))) await once(out, "drain");
  out.end();
  await once(out, "close");
}

async function runTask(rpc: RpcClient, method: string, ...args: Array<string | boolean>): Promise<{ ms: number; summary: string }> {
  const start = performance.now();
  await rpc.call(method, ...args);
  for (;;) {
    const status = await rpc.callRaw<{ completed: boolean; message: string }>("api.getTaskStatus", []);
    if (status.completed) return { ms: performance.now() - start, summary: status.message.trimEnd().split("\n").pop() ?? "" };
    await new Promise((r) => setTimeout(r, 100));
  }
}

const dir = mkdtempSync(join(tmpdir(), "quire-bench-imports-"));
const server = await startServer({ dataDir: join(dir, "data"), postgresUrl: process.env.QUIRE_BENCH_PG_URL, host: "127.0.0.1", httpPort: 0 });
const rows: Array<[string, number, string]> = [];
try {
  await server.app.config.set("auth.webservices.auth-token", JSON.stringify({ bench: TOKEN }));
  const rpc = new RpcClient(`http://127.0.0.1:${server.httpPort}/rpc/api/xmlrpc`, TOKEN);

  // The file loadSharedAccounts.py writes: 20 parent lines, then 20 × 500 sub-account lines.
  if (ONLY.has("shared")) {
    const shared = join(dir, "shared.tsv");
    await writeLines(shared, 20 + 20 * 500, (i) => {
      if (i < 20) return `parentAccount${String(i).padStart(3, "0")}\t\tY\tPPx${i}\t10.0\tN\t[All Users]\t\t\t\t\n`;
      const p = Math.floor((i - 20) / 500);
      const a = (i - 20) % 500;
      return `${String(p).padStart(3, "0")}LongParentAccountname\t${String(a).padStart(3, "0")}ReallyLongSharedAccountName\t\t${p}x${a}\t10.0\t\t\t[All Users]\t\t\t\n`;
    });
    const sharedRun = await runTask(rpc, "api.batchImportSharedAccounts", shared, false, false);
    rows.push(["batchImportSharedAccounts, 10,020 lines", sharedRun.ms, sharedRun.summary]);
  }

  if (ONLY.has("users")) {
    const users = join(dir, "users.tsv");
    await writeLines(users, USERS, (i) => `user${String(i).padStart(6, "0")}\t${i % 50}.25\t${i % 2 ? "Y" : "N"}\tUser Number ${i}\tuser${i}@example.edu\tDept ${i % 40}\tOffice ${i % 7}\tCARD${i}\t\t\t\t\t\t\n`);
    const userRun = await runTask(rpc, "api.batchImportUsers", users, true);
    rows.push([`batchImportUsers, ${USERS} new users`, userRun.ms, userRun.summary]);
    if (ONLY.has("updates")) {
      // The same users again, each with a new balance, restriction, name, email and card.
      await writeLines(users, USERS, (i) => `user${String(i).padStart(6, "0")}\t${(i % 50) + 1}.5\t${i % 2 ? "N" : "Y"}\tUser No. ${i}\tu${i}@example.org\tDept ${i % 41}\tOffice ${i % 8}\tCARD-B${i}\t\t\t\t\t\t\n`);
      const updateRun = await runTask(rpc, "api.batchImportUsers", users, false);
      rows.push([`batchImportUsers, ${USERS} existing users updated`, updateRun.ms, updateRun.summary]);
    }
  }

  if (ONLY.has("ldap")) {
    const slapd = await startSlapd(fixtureLdif(LDAP_USERS));
    try {
      for (const [k, v] of [
        ["user-source.type", "ldap"],
        ["ldap.server", slapd.url],
        ["ldap.bind-dn", LDAP_ADMIN_DN],
        ["ldap.bind-password", LDAP_ADMIN_PASSWORD],
        ["ldap.base-dn", LDAP_SUFFIX],
      ]) await rpc.call("api.setConfigValue", k, v);
      const ldapRun = await runTask(rpc, "api.addNewUsers");
      rows.push([`addNewUsers from LDAP, ${LDAP_USERS} users`, ldapRun.ms, ldapRun.summary]);
    } finally {
      slapd.stop();
    }
  }
} finally {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
const peakMb = process.resourceUsage().maxRSS / 1024;
console.log(`database: ${server.app.db.dialect}`);
for (const [what, ms, summary] of rows) console.log(`${what}: ${(ms / 1000).toFixed(1)} s — ${summary.replace(/^.* - /, "")}`);
console.log(`peak memory (whole process, server and client): ${peakMb.toFixed(0)} MB`);
