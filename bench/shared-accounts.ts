// Benchmark of group and shared-account operations over real HTTP against a fresh embedded-SQLite server
// (or PostgreSQL with QUIRE_BENCH_PG_URL): a balance adjustment for a 10,000-member group,
// listSharedAccounts(0, 1000) over 10,000 accounts, and listUserSharedAccounts for a user whose access
// comes through 50 groups. Run: npm run build && node dist/bench/shared-accounts.js
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { sql } from "kysely";
import { startServer } from "../src/server/start.js";
import { RpcClient } from "../test/support/rpc-client.js";

const TOKEN = "bench-token-0123456789";
const MEMBERS = 10_000;
const PARENTS = 100;
const CHILDREN = 99;
const GROUPS = 50;

async function timed(runs: number, work: () => Promise<unknown>): Promise<{ median: number; min: number }> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await work();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  return { median: times[Math.floor(times.length / 2)], min: times[0] };
}

const dataDir = mkdtempSync(join(tmpdir(), "quire-bench-"));
const server = await startServer({ dataDir, postgresUrl: process.env.QUIRE_BENCH_PG_URL, host: "127.0.0.1", httpPort: 0 });
try {
  await server.app.config.set("auth.webservices.auth-token", JSON.stringify({ bench: TOKEN }));
  const rpc = new RpcClient(`http://127.0.0.1:${server.httpPort}/rpc/api/xmlrpc`, TOKEN);
  const db = server.app.db;

  // Fixtures straight into the tables (creating 10,000 users through the API would time password hashing).
  await rpc.call("api.addNewGroup", "Everyone10k");
  const groupId = (await db.kysely.selectFrom("groups").select("id").where("name", "=", "Everyone10k").executeTakeFirstOrThrow()).id;
  for (let start = 0; start < MEMBERS; start += 1000) {
    await db.write(async (trx) => {
      const users = await trx
        .insertInto("users")
        .values(Array.from({ length: 1000 }, (_, i) => ({ username: `user${String(start + i).padStart(5, "0")}`, created_at: 0 })))
        .returning("id")
        .execute();
      await trx.insertInto("accounts").values(users.map((u) => ({ account_type: "personal" as const, user_id: u.id, created_at: 0 }))).execute();
      await trx.insertInto("group_members").values(users.map((u) => ({ group_id: groupId, user_id: u.id }))).execute();
    });
  }
  await db.write(async (trx) => {
    const parents = await trx
      .insertInto("accounts")
      .values(Array.from({ length: PARENTS }, (_, p) => ({ account_type: "shared" as const, name: `Parent${String(p).padStart(3, "0")}`, created_at: 0 })))
      .returning(["id", "name"])
      .execute();
    for (const parent of parents) {
      await trx
        .insertInto("accounts")
        .values(Array.from({ length: CHILDREN }, (_, c) => ({ account_type: "shared" as const, name: `${parent.name}\\Child${String(c).padStart(3, "0")}`, parent_id: parent.id, created_at: 0 })))
        .execute();
    }
  });
  // The user reaches two parents (and their sub-accounts) through each of 50 groups.
  for (let g = 0; g < GROUPS; g++) {
    const group = `Team${String(g).padStart(2, "0")}`;
    await rpc.call("api.addNewGroup", group);
    await rpc.call("api.addUserToGroup", "user00000", group);
    await rpc.call("api.addSharedAccountAccessGroup", `Parent${String(g * 2).padStart(3, "0")}`, group);
    await rpc.call("api.addSharedAccountAccessGroup", `Parent${String(g * 2 + 1).padStart(3, "0")}`, group);
  }
  await rpc.call("api.setUserAccountSelectionAdvancedPopup", "user00000", true, false);
  // Fresh statistics, as autovacuum would have gathered on a server that has been running a while.
  if (db.dialect === "postgres") await sql`analyze`.execute(db.kysely);

  const adjust = await timed(5, () => rpc.call("api.adjustUserAccountBalanceByGroup", "Everyone10k", { double: 0.25 }, "bench"));
  const upTo = await timed(5, () => rpc.call("api.adjustUserAccountBalanceByGroupUpTo", "Everyone10k", { double: 0.5 }, { double: 100 }, "bench"));
  const list = await timed(20, () => rpc.call("api.listSharedAccounts", 0, 1000));
  const userList = await timed(20, () => rpc.call("api.listUserSharedAccounts", "user00000", 0, 1000));
  const reachable = (await rpc.call<string[]>("api.listUserSharedAccounts", "user00000", 0, 100_000)).length;
  const balance = await rpc.call<number>("api.getUserAccountBalance", "user09999");

  const fmt = (t: { median: number; min: number }) => `median ${t.median.toFixed(1)} ms (min ${t.min.toFixed(1)} ms)`;
  console.log(`backend: ${server.app.db.dialect}`);
  console.log(`adjustUserAccountBalanceByGroup, ${MEMBERS} members: ${fmt(adjust)}`);
  console.log(`adjustUserAccountBalanceByGroupUpTo, ${MEMBERS} members: ${fmt(upTo)}`);
  console.log(`listSharedAccounts(0, 1000) over ${PARENTS * (CHILDREN + 1)} accounts: ${fmt(list)}`);
  console.log(`listUserSharedAccounts(0, 1000), access through ${GROUPS} groups (${reachable} accounts reachable): ${fmt(userList)}`);
  console.log(`check: last member's balance ${balance} (expected ${5 * 0.25 + 5 * 0.5})`);
} finally {
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
