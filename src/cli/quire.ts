// The `quire` command: setup, serve, command (server-command).
import { Command, InvalidArgumentError } from "commander";
import { resolve } from "node:path";
import { VERSION } from "../context.js";
import { QuireError } from "../kernel/errors.js";
import { createLog } from "../kernel/log.js";
import { openContext, sqlitePathOf, startServer } from "../server/start.js";
import { runServerCommand } from "./server-command.js";
import { restoreBackup } from "../backup/restore.js";
import { ensureAdminPassword, setAdminPassword } from "./setup.js";
import { formatAuditReport } from "../audit/service.js";

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("not a port number");
  return n;
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("not a whole number");
  return n;
}

const env = process.env;
const program = new Command();
program.name("quire").description("Quire print management and print accounting server").version(VERSION);

program
  .command("setup")
  .description("initialise a data directory (database schema and admin password) non-interactively")
  .option("--data-dir <dir>", "data directory", env.QUIRE_DATA_DIR ?? "./data")
  .option("--admin-password <password>", "password of the built-in admin (or QUIRE_ADMIN_PASSWORD)", env.QUIRE_ADMIN_PASSWORD)
  .option("--postgres-url <url>", "use PostgreSQL instead of the embedded SQLite (or QUIRE_DATABASE_URL)", env.QUIRE_DATABASE_URL)
  .action(async (opts: { dataDir: string; adminPassword?: string; postgresUrl?: string }) => {
    if (!opts.adminPassword) throw new InvalidArgumentError("--admin-password (or QUIRE_ADMIN_PASSWORD) is required");
    const app = await openContext({ dataDir: resolve(opts.dataDir), postgresUrl: opts.postgresUrl });
    try {
      await setAdminPassword(app, opts.adminPassword);
    } finally {
      await app.close();
    }
    process.stdout.write(`Quire data directory ready: ${resolve(opts.dataDir)}\n`);
  });

program
  .command("audit")
  .description("check the database's invariants (balances equal ledger sums, no orphan rows) and print what differs")
  .option("--data-dir <dir>", "data directory", env.QUIRE_DATA_DIR ?? "./data")
  .option("--postgres-url <url>", "audit this PostgreSQL database instead of the embedded SQLite (or QUIRE_DATABASE_URL)", env.QUIRE_DATABASE_URL)
  .option("--limit <n>", "differences listed per check", (v) => Math.max(1, Number.parseInt(v, 10) || 50), 50)
  .action(async (opts: { dataDir: string; postgresUrl?: string; limit: number }) => {
    const app = await openContext({ dataDir: resolve(opts.dataDir), postgresUrl: opts.postgresUrl });
    let report;
    try {
      report = await app.audit.run(opts.limit);
    } finally {
      await app.close();
    }
    process.stdout.write(formatAuditReport(report));
    if (!report.ok) process.exitCode = 3;
  });

program
  .command("serve")
  .description("run the server in the foreground")
  .option("--data-dir <dir>", "data directory", env.QUIRE_DATA_DIR ?? "./data")
  .option("--http-port <port>", "HTTP port", port, port(env.QUIRE_HTTP_PORT ?? "9191"))
  .option("--https-port <port>", "HTTPS port", port, port(env.QUIRE_HTTPS_PORT ?? "9192"))
  .option("--host <address>", "address to listen on", env.QUIRE_HOST ?? "::")
  .option("--postgres-url <url>", "use PostgreSQL instead of the embedded SQLite (or QUIRE_DATABASE_URL)", env.QUIRE_DATABASE_URL)
  .option("--tls-cert <file>", "PEM certificate for HTTPS (default: self-signed, created in the data directory)", env.QUIRE_TLS_CERT)
  .option("--tls-key <file>", "PEM private key for HTTPS", env.QUIRE_TLS_KEY)
  .option("--log-level <level>", "trace, debug, info, warn or error", env.QUIRE_LOG_LEVEL ?? "info")
  .option("--pg-pool-size <n>", "PostgreSQL connections per node (or QUIRE_PG_POOL_SIZE)", count, env.QUIRE_PG_POOL_SIZE ? count(env.QUIRE_PG_POOL_SIZE) : 10)
  .option("--pg-statement-timeout <ms>", "PostgreSQL statement timeout, 0 for none (or QUIRE_PG_STATEMENT_TIMEOUT_MS)", count, env.QUIRE_PG_STATEMENT_TIMEOUT_MS ? count(env.QUIRE_PG_STATEMENT_TIMEOUT_MS) : 30_000)
  .option("--config-refresh <ms>", "how often a node rereads config changed through other nodes (PostgreSQL; or QUIRE_CONFIG_REFRESH_MS)", count, env.QUIRE_CONFIG_REFRESH_MS ? count(env.QUIRE_CONFIG_REFRESH_MS) : undefined)
  .option("--task-stale <ms>", "after how long without a heartbeat a background task of a dead node frees the task slot (or QUIRE_TASK_STALE_MS; default 60000)", count, env.QUIRE_TASK_STALE_MS ? count(env.QUIRE_TASK_STALE_MS) : undefined)
  .action(
    async (opts: {
      dataDir: string;
      httpPort: number;
      httpsPort: number;
      host: string;
      postgresUrl?: string;
      tlsCert?: string;
      tlsKey?: string;
      logLevel: string;
      pgPoolSize: number;
      pgStatementTimeout: number;
      configRefresh?: number;
      taskStale?: number;
    }) => {
      const log = createLog({ level: opts.logLevel });
      const dataDir = resolve(opts.dataDir);
      const server = await startServer({
        dataDir,
        postgresUrl: opts.postgresUrl,
        host: opts.host,
        httpPort: opts.httpPort,
        httpsPort: opts.httpsPort,
        tlsCert: opts.tlsCert,
        tlsKey: opts.tlsKey,
        log,
        poolSize: opts.pgPoolSize,
        statementTimeoutMs: opts.pgStatementTimeout,
        configRefreshMs: opts.configRefresh,
        taskStaleMs: opts.taskStale,
      });
      const passwordFile = await ensureAdminPassword(server.app);
      log.info({ httpPort: server.httpPort, httpsPort: server.httpsPort, dataDir, database: server.app.db.dialect }, "Quire is serving");
      process.stdout.write(
        `Quire ${VERSION} serving XML-RPC at http://localhost:${server.httpPort}/rpc/api/xmlrpc and https://localhost:${server.httpsPort}/rpc/api/xmlrpc\n`,
      );
      if (passwordFile) {
        process.stdout.write(
          `First start: the admin password was written to ${passwordFile} (readable by you only).\n` +
            `Use it as the auth token (first parameter of every call), or add web services tokens with\n` +
            `  api.setConfigValue("auth.webservices.auth-token", '{"myapp":"<a long random token>"}')\n` +
            `Only callers from 127.0.0.1 and ::1 are allowed until you change auth.webservices.allowed-addresses.\n`,
        );
      }
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, "stopping");
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.on("SIGINT", () => stop("SIGINT"));
      process.on("SIGTERM", () => stop("SIGTERM"));
    },
  );

program
  .command("command")
  .description("run an API method on the running server, like server-command (see: quire command --help)")
  .helpOption(false)
  .allowUnknownOption()
  .allowExcessArguments()
  .argument("[args...]", "server-command arguments");

program
  .command("restore")
  .description("restore a backup (from DATA_DIR/backups) into an EMPTY data directory or PostgreSQL database; the server must be stopped")
  .argument("<file>", "the backup file (export-….zip)")
  .option("--data-dir <dir>", "data directory to restore into", env.QUIRE_DATA_DIR ?? "./data")
  .option("--postgres-url <url>", "restore into this (empty) PostgreSQL database instead of the embedded SQLite (or QUIRE_DATABASE_URL)", env.QUIRE_DATABASE_URL)
  .action(async (file: string, opts: { dataDir: string; postgresUrl?: string }) => {
    const dataDir = resolve(opts.dataDir);
    const outcome = await restoreBackup(resolve(file), { sqlitePath: sqlitePathOf(dataDir), postgresUrl: opts.postgresUrl }, (line) => process.stdout.write(`  ${line}\n`));
    process.stdout.write(`Restored ${outcome.rows} rows in ${outcome.tables} tables into ${opts.postgresUrl ? "the PostgreSQL database" : dataDir}.\n`);
  });

const cards = program.command("cards").description("prepaid top-up cards");
cards
  .command("import")
  .description("import a card batch file (UTF-16 with BOM, header CardNumber,BatchID,ValueNumber,Value,ExpDate,ExpDateDisplay)")
  .argument("<file>", "the card batch file")
  .option("--data-dir <dir>", "data directory", env.QUIRE_DATA_DIR ?? "./data")
  .option("--postgres-url <url>", "use PostgreSQL instead of the embedded SQLite (or QUIRE_DATABASE_URL)", env.QUIRE_DATABASE_URL)
  .action(async (file: string, opts: { dataDir: string; postgresUrl?: string }) => {
    const app = await openContext({ dataDir: resolve(opts.dataDir), postgresUrl: opts.postgresUrl });
    try {
      const outcome = await app.cards.importCardFile(resolve(file));
      process.stdout.write(`Imported ${outcome.imported} cards (batches: ${outcome.batches.join(", ") || "none"}); ${outcome.alreadyPresent} were already present.\n`);
    } finally {
      await app.close();
    }
  });

// `quire command …` is server-command: its arguments go to it untouched (negative numbers, --data-dir, help).
const commandMode = process.argv[2] === "command";
const done = commandMode ? runServerCommand(process.argv.slice(3)).then((code) => void (process.exitCode = code)) : program.parseAsync(process.argv);

done.catch((error: unknown) => {
  const message = error instanceof QuireError || error instanceof InvalidArgumentError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`quire: ${message}\n`);
  process.exit(error instanceof QuireError ? 2 : 1);
});
