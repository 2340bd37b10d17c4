import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openBackupFile, type BackupManifest } from "../../src/backup/backup-file.js";
import { listTables, selectRowPage, TRANSIENT_TABLES } from "../../src/backup/queries.js";
import { restoreBackup } from "../../src/backup/restore.js";
import { Database } from "../../src/db/database.js";
import { BACKENDS, createPostgresDatabase, type Backend } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";
import { summaryOf, waitForTask } from "../support/tasks.js";

type Dump = Record<string, string[]>;

/** Every table of a database (less the transient ones: the task slot, SQLite's list versions), rows as sorted JSON texts keyed by column name. */
async function dumpDatabase(db: Database, only?: readonly string[]): Promise<Dump> {
  const dump: Dump = {};
  for (const table of await listTables(db.kysely)) {
    if (TRANSIENT_TABLES.has(table.name) || (only && !only.includes(table.name))) continue;
    const rows: string[] = [];
    for (let afterId = 0, offset = 0; ; ) {
      const page = await selectRowPage(db.kysely, table, { afterId, offset }, 1000);
      for (const r of page) rows.push(JSON.stringify(Object.fromEntries(table.columns.map((c, i) => [c, r[i]]).sort())));
      if (page.length < 1000) break;
      offset += page.length;
      if (table.hasId) afterId = Number(page[page.length - 1][table.columns.indexOf("id")]);
    }
    dump[table.name] = rows.sort();
  }
  return dump;
}

async function dumpBackup(file: string): Promise<{ manifest: BackupManifest; dump: Dump }> {
  const reader = await openBackupFile(file);
  const dump: Dump = {};
  try {
    for (const table of reader.manifest.tables) {
      const rows: string[] = [];
      for await (const r of reader.rows(table)) rows.push(JSON.stringify(Object.fromEntries(table.columns.map((c, i) => [c, r[i]]).sort())));
      dump[table.name] = rows.sort();
    }
  } finally {
    reader.close();
  }
  return { manifest: reader.manifest, dump };
}

/** Restores into a fresh target of the given backend and dumps it. */
async function restoreAndDump(file: string, backend: Backend, tables: readonly string[]): Promise<Dump> {
  const dir = mkdtempSync(join(tmpdir(), "quire-restore-"));
  const pgdb = backend === "postgres" ? await createPostgresDatabase() : undefined;
  try {
    const sqlitePath = join(dir, "quire.db");
    await restoreBackup(file, { sqlitePath, postgresUrl: pgdb?.url });
    const db = new Database(pgdb ? { postgresUrl: pgdb.url } : { sqlitePath });
    try {
      return await dumpDatabase(db, tables);
    } finally {
      await db.close();
    }
  } finally {
    await pgdb?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function ledgerMatchesBalances(dump: Dump): void {
  const balances = new Map<number, number>();
  for (const text of dump.accounts) {
    const a = JSON.parse(text) as { id: number; balance: number };
    balances.set(a.id, a.balance);
  }
  const sums = new Map<number, number>();
  for (const text of dump.ledger) {
    const l = JSON.parse(text) as { account_id: number; amount: number };
    sums.set(l.account_id, (sums.get(l.account_id) ?? 0) + l.amount);
  }
  for (const [id, balance] of balances) assert.equal(sums.get(id) ?? 0, balance, `account ${id}: ledger sum equals balance`);
}

for (const backend of BACKENDS) {
  describe(`online backup and restore (${backend})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
      for (let i = 0; i < 10; i++) await t.rpc.call("api.addNewInternalUser", `user${i}`, "pw", `User ${i}`, `u${i}@example.org`, `CARD-${i}`, "");
      await t.rpc.call("api.setConfigValue", "site.name", "Quire test site \u00e9\u00df\u4e2d");
    });
    after(async () => {
      await t?.close();
    });

    it("a backup taken while 10 clients adjust balances is consistent and restores exactly on both backends", async () => {
      let backupDone = false;
      let started = false;
      const clients = Array.from({ length: 10 }, async (_, c) => {
        for (let n = 0; n < 300 && !(backupDone && n > 5); n++) {
          await t.rpc.call("api.adjustUserAccountBalance", `user${c}`, { double: n % 3 === 0 ? -0.25 : 1.1 }, `op ${n}`);
          if (c === 0 && n === 5) {
            assert.equal(await t.rpc.call("api.performOnlineBackup"), true);
            started = true;
          }
        }
      });
      const watcher = (async () => {
        const deadline = Date.now() + 30_000;
        while (!started) {
          assert.ok(Date.now() < deadline);
          await new Promise((r) => setTimeout(r, 5));
        }
        const status = await waitForTask(t.rpc);
        backupDone = true;
        return status;
      })();
      await Promise.all(clients);
      const status = await watcher;
      assert.match(summaryOf(status), /Backup complete: .*export-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.zip \(\d+ tables, \d+ rows\)\.$/);
      const files = readdirSync(join(t.dataDir, "backups")).filter((f) => f.endsWith(".zip"));
      assert.equal(files.length, 1);
      const { manifest, dump } = await dumpBackup(join(t.dataDir, "backups", files[0]));
      assert.ok(!manifest.tables.some((x) => x.name === "task_status"));
      assert.ok(dump.ledger.length > 10);
      ledgerMatchesBalances(dump);
      for (const target of BACKENDS) {
        assert.deepEqual(await restoreAndDump(join(t.dataDir, "backups", files[0]), target, Object.keys(dump)), dump, `restored into ${target}`);
      }
    });

    it("with no writes in flight, a round trip through either backend reproduces every table of the live database", async () => {
      const backup = await t.server.app.backup.backupNow();
      const live = await dumpDatabase(t.server.app.db);
      assert.ok(Object.keys(live).length >= 6);
      for (const target of BACKENDS) assert.deepEqual(await restoreAndDump(backup.path, target, Object.keys(live)), live, `restored into ${target}`);
    });

    it("restore refuses a data directory or PostgreSQL database that already holds data", async () => {
      const backup = await t.server.app.backup.backupNow();
      const dir = mkdtempSync(join(tmpdir(), "quire-restore-"));
      try {
        await restoreBackup(backup.path, { sqlitePath: join(dir, "quire.db") });
        await assert.rejects(restoreBackup(backup.path, { sqlitePath: join(dir, "quire.db") }), /already exists: restore only into an empty data directory/);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
      if (!BACKENDS.includes("postgres")) return;
      const pgdb = await createPostgresDatabase();
      try {
        await restoreBackup(backup.path, { sqlitePath: "unused", postgresUrl: pgdb.url });
        await assert.rejects(restoreBackup(backup.path, { sqlitePath: "unused", postgresUrl: pgdb.url }), /The target database is not empty/);
      } finally {
        await pgdb.drop();
      }
    });
  });
}

describe("quire restore (command line)", () => {
  it("restores a backup into an empty data directory and refuses a second time", async () => {
    const t = await startTestServer("sqlite");
    const dir = mkdtempSync(join(tmpdir(), "quire-restore-cli-"));
    try {
      await t.rpc.call("api.addNewInternalUser", "carol", "pw", "Carol", "", "", "");
      const backup = await t.server.app.backup.backupNow();
      const bin = fileURLToPath(new URL("../../../bin/quire.js", import.meta.url));
      const first = spawnSync(process.execPath, [bin, "restore", "--data-dir", dir, backup.path], { encoding: "utf8", timeout: 30_000 });
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /Restored \d+ rows in \d+ tables/);
      const db = new Database({ sqlitePath: join(dir, "quire.db") });
      try {
        const users = await db.kysely.selectFrom("users").select("username").execute();
        assert.deepEqual(users.map((u) => u.username), ["carol"]);
      } finally {
        await db.close();
      }
      const second = spawnSync(process.execPath, [bin, "restore", "--data-dir", dir, backup.path], { encoding: "utf8", timeout: 30_000 });
      assert.notEqual(second.status, 0);
      assert.match(second.stderr, /already exists/);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
