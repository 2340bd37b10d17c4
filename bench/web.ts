// Benchmark of the admin interface's heaviest pages over a large installation: 100,000 users and
// 1,000,000 ledger rows on the embedded SQLite (or PostgreSQL with --postgres URL). Seeds the database
// directly (the services would take minutes for a million rows), then signs in over HTTP and times
// server-side rendering of the users list (plain pages, deep pages, searches) and users' pages.
//   node dist/bench/web.js [--users N] [--rows-per-user N] [--requests N] [--postgres URL] [--data-dir DIR]
// With --data-dir, an existing seeded directory is reused and kept.
import http from "node:http";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { openContext, startServer } from "../src/server/start.js";

const args = process.argv.slice(2);
const flag = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const USERS = Number(flag("users", "100000"));
const ROWS_PER_USER = Number(flag("rows-per-user", "10"));
const REQUESTS = Number(flag("requests", "200"));
const POSTGRES = flag("postgres", "");
const KEEP_DIR = flag("data-dir", "");
const PASSWORD = "bench-admin-password";
const DAY = 86_400_000;

function username(i: number): string {
  return `user${String(i).padStart(6, "0")}`;
}

async function seed(dataDir: string): Promise<void> {
  const app = await openContext({ dataDir, postgresUrl: POSTGRES || undefined });
  try {
    await app.security.changeAdminPassword(PASSWORD);
    const now = Date.now();
    const batch = 1000;
    let state = 12345;
    const random = () => {
      state = (state * 1103515245 + 12345) & 0x7fffffff;
      return state / 0x7fffffff;
    };
    for (let from = 0; from < USERS; from += batch) {
      const to = Math.min(USERS, from + batch);
      await app.db.write(async (trx) => {
        const users = [];
        for (let i = from; i < to; i++) {
          users.push({ username: username(i), created_at: now - 90 * DAY, source: "bench", full_name: `Bench User ${i}`, email: `${username(i)}@example.org`, department: `Dept ${i % 40}` });
        }
        const ids = await trx.insertInto("users").values(users).returning("id").execute();
        const accounts = ids.map((r) => ({ account_type: "personal" as const, user_id: r.id, sub_name: "", name: "", created_at: now - 90 * DAY }));
        const accountIds = await trx.insertInto("accounts").values(accounts).returning("id").execute();
        const ledger = [];
        const balances = new Map<number, number>();
        for (const { id } of accountIds) {
          let balance = 0;
          for (let k = 0; k < ROWS_PER_USER; k++) {
            const amount = k === 0 ? 20_000_000 : -Math.round(random() * 2_000_000);
            balance += amount;
            ledger.push({ account_id: id, amount, balance_after: balance, kind: k === 0 ? "adjustment" : "job", comment: k === 0 ? "initial credit" : "printing", created_by: "bench", created_at: now - Math.floor(random() * 60 * DAY) });
          }
          balances.set(id, balance);
        }
        for (let i = 0; i < ledger.length; i += 1000) await trx.insertInto("ledger").values(ledger.slice(i, i + 1000)).execute();
        for (const [id, balance] of balances) await trx.updateTable("accounts").set({ balance }).where("id", "=", id).execute();
      });
      if ((to / batch) % 20 === 0) process.stderr.write(`seeded ${to} users\n`);
    }
    if (app.db.dialect === "sqlite") await sql`analyze`.execute(app.db.kysely);
    else await sql`analyze`.execute(app.db.kysely);
  } finally {
    await app.close();
  }
}

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
function request(port: number, method: string, path: string, headers: Record<string, string> = {}, body = ""): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method, path, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function cookie(answer: Answer, name: string): string {
  const list = answer.headers["set-cookie"] ?? [];
  const found = list.find((c) => c.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie`);
  return found.split(";")[0];
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main(): Promise<void> {
  const dataDir = KEEP_DIR || mkdtempSync(join(tmpdir(), "quire-bench-web-"));
  try {
    const seeded = performance.now();
    const reuse = KEEP_DIR !== "" && !POSTGRES && existsSync(join(dataDir, "quire.db"));
    if (!reuse) await seed(dataDir);
    if (!reuse) process.stderr.write(`seeded ${USERS} users and ${USERS * ROWS_PER_USER} ledger rows in ${((performance.now() - seeded) / 1000).toFixed(1)} s\n`);
    const server = await startServer({ dataDir, postgresUrl: POSTGRES || undefined, host: "127.0.0.1", httpPort: 0 });
    try {
      const port = server.httpPort;
      const login = await request(port, "GET", "/admin/login");
      const token = /name="_csrf" value="([^"]+)"/.exec(login.body)?.[1] ?? "";
      const signedIn = await request(port, "POST", "/admin/login", { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookie(login, "quire_login") }, new URLSearchParams({ _csrf: token, username: "admin", password: PASSWORD }).toString());
      const session = cookie(signedIn, "quire_admin");
      let state = 777;
      const pick = (n: number) => {
        state = (state * 1103515245 + 12345) & 0x7fffffff;
        return state % n;
      };
      const pages: Record<string, () => string> = {
        "users list, first page": () => "/admin/users",
        "users list, random page": () => `/admin/users?page=${1 + pick(Math.ceil(USERS / 50))}`,
        "users search (start of a name)": () => `/admin/users?q=${encodeURIComponent(pick(2) === 0 ? username(pick(USERS)).slice(0, 9) : `Bench User ${pick(USERS)}`)}`,
        "users search (anywhere, *)": () => `/admin/users?q=${encodeURIComponent(`*${String(pick(USERS)).padStart(6, "0").slice(1, 5)}`)}`,
        "user page": () => `/admin/user?name=${username(pick(USERS))}`,
        "transaction log": () => `/admin/logs/transactions?page=${1 + pick(20)}`,
        dashboard: () => "/admin",
      };
      console.log(`| Page (${USERS.toLocaleString("en")} users, ${(USERS * ROWS_PER_USER).toLocaleString("en")} ledger rows, ${server.app.db.dialect}) | requests | p50 ms | p95 ms | max ms |`);
      console.log("|---|---|---|---|---|");
      for (const [name, path] of Object.entries(pages)) {
        const count = name === "dashboard" || name.includes("*") ? Math.min(20, REQUESTS) : REQUESTS;
        for (let i = 0; i < 5; i++) await request(port, "GET", path(), { Cookie: session });
        const times: number[] = [];
        for (let i = 0; i < count; i++) {
          const started = performance.now();
          const answer = await request(port, "GET", path(), { Cookie: session });
          times.push(performance.now() - started);
          if (answer.status !== 200) throw new Error(`${name}: HTTP ${answer.status}`);
        }
        times.sort((a, b) => a - b);
        console.log(`| ${name} | ${count} | ${percentile(times, 50).toFixed(1)} | ${percentile(times, 95).toFixed(1)} | ${times[times.length - 1].toFixed(1)} |`);
      }
    } finally {
      await server.close();
    }
  } finally {
    agent.destroy();
    if (!KEEP_DIR) rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
