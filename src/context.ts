// The one context object main builds: configuration, the database and every service, handed to the edges.
import { AccountsService } from "./accounts/service.js";
import { ConfigService } from "./config/service.js";
import { Database, type DatabaseOptions } from "./db/database.js";
import { migrateToLatest } from "./db/migrations.js";
import { systemClock, type Clock } from "./kernel/clock.js";
import { silentLog, type Log } from "./kernel/log.js";
import { SecurityService } from "./security/service.js";
import { UsersService } from "./users/service.js";
import { GroupsService } from "./groups/service.js";
import { SharedAccountsService } from "./shared-accounts/service.js";
import { AdminAccessService } from "./admin-access/service.js";
import { PrintersService } from "./printers/service.js";
import { JobsService } from "./jobs/service.js";
import { SingleRunner } from "./db/single-runner.js";
import { AuditService } from "./audit/service.js";
import { AuditLogService } from "./audit-log/service.js";
import { ReportsService } from "./reports/service.js";
import type { Kysely } from "kysely";
import { TaskRunner } from "./tasks/service.js";
import { BackupService } from "./backup/service.js";
import { CardsService } from "./cards/service.js";
import { ImportsService } from "./imports/service.js";
import { DirectoryService } from "./directory/service.js";
import { ExportsService } from "./exports/service.js";

export const VERSION = "0.1.0";

export interface ContextOptions {
  dataDir: string;
  database: DatabaseOptions;
  clock?: Clock;
  log?: Log;
  /** How long another node's config change may take to be seen here (PostgreSQL deployments). */
  configRefreshMs?: number;
  /** After how long without a heartbeat a background task's node counts as dead, freeing the task slot (ms). */
  taskStaleMs?: number;
}

export interface AppContext {
  readonly dataDir: string;
  readonly db: Database;
  readonly clock: Clock;
  readonly log: Log;
  readonly startedAt: number;
  readonly version: string;
  readonly config: ConfigService;
  readonly security: SecurityService;
  readonly accounts: AccountsService;
  readonly users: UsersService;
  readonly groups: GroupsService;
  readonly sharedAccounts: SharedAccountsService;
  readonly adminAccess: AdminAccessService;
  readonly printers: PrintersService;
  readonly jobs: JobsService;
  /** Checks the database's invariants (`quire audit`). */
  readonly audit: AuditService;
  /** Runs background work on exactly one node at a time. */
  readonly runner: SingleRunner;
  readonly tasks: TaskRunner;
  readonly backup: BackupService;
  readonly cards: CardsService;
  readonly imports: ImportsService;
  readonly directory: DirectoryService;
  readonly exports: ExportsService;
  readonly auditLog: AuditLogService;
  readonly reports: ReportsService;
  close(): Promise<void>;
}

/** The heartbeat is a third of the stale bound (at most 10 s), so two missed beats never free a live task. */
function taskRunnerTiming(staleMs: number | undefined): { staleMs?: number; heartbeatMs?: number } {
  if (staleMs === undefined) return {};
  return { staleMs, heartbeatMs: Math.max(50, Math.min(10_000, Math.floor(staleMs / 3))) };
}

/** Opens the database, applies migrations and builds the services. */
export async function createContext(options: ContextOptions): Promise<AppContext> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? silentLog;
  const db = new Database(options.database);
  await migrateToLatest(db.kysely as unknown as Kysely<unknown>, { dialect: db.dialect });
  const refresh = options.configRefreshMs ?? (db.dialect === "postgres" ? 2000 : 0);
  const config = new ConfigService(db, clock, refresh);
  await config.load();
  config.startRefreshing();
  const security = new SecurityService(db, config);
  const accounts = new AccountsService(config, clock);
  const users = new UsersService(db, accounts, clock);
  const groups = new GroupsService(db, accounts, users, clock);
  users.useInitialSettings((trx, user) => groups.initialSettingsFor(trx, user));
  const sharedAccounts = new SharedAccountsService(db, accounts, users, groups, clock);
  const adminAccess = new AdminAccessService(db, users, groups, clock);
  const printers = new PrintersService(db, groups, clock);
  const jobs = new JobsService(db, users, printers, accounts, clock);
  const tasks = new TaskRunner(db, clock, log, taskRunnerTiming(options.taskStaleMs));
  const backup = new BackupService(db, tasks, clock, options.dataDir, VERSION);
  const cards = new CardsService(db, users, accounts, clock);
  const imports = new ImportsService(db, tasks, users, accounts, sharedAccounts, clock);
  const directory = new DirectoryService(db, config, tasks, users, groups, clock);
  const exports = new ExportsService(db, users, accounts, groups, options.dataDir);
  const auditLog = new AuditLogService(db, clock);
  const reports = new ReportsService(db, clock);
  return {
    dataDir: options.dataDir,
    db,
    clock,
    log,
    startedAt: clock.now(),
    version: VERSION,
    config,
    security,
    accounts,
    users,
    groups,
    sharedAccounts,
    adminAccess,
    printers,
    jobs,
    audit: new AuditService(db),
    runner: new SingleRunner(db),
    tasks,
    backup,
    cards,
    imports,
    directory,
    exports,
    auditLog,
    reports,
    close: async () => {
      config.stopRefreshing();
      await tasks.close();
      await db.close();
    },
  };
}
