// Starts a Quire server: context, method table, routes and listeners. Used by `quire serve` and the tests.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { createContext, type AppContext } from "../context.js";
import type { Clock } from "../kernel/clock.js";
import type { Log } from "../kernel/log.js";
import { Dispatcher } from "../rpc/dispatcher.js";
import { createRpcRoute, RPC_PATH } from "../rpc/http-route.js";
import { METHODS } from "../rpc/methods.js";
import { createHealthRoute, ensureHealthKey } from "./health.js";
import { connectHostFor, LOCAL_ACCESS_APPLICATION, newLocalSecret, removeLocalAccess, writeLocalAccess } from "./local-access.js";
import { Metrics } from "./metrics.js";
import { startListeners, type HttpLimits, type Listeners, type Route } from "./http.js";
import { createWebRoute } from "../web/routes.js";
import { loadOrCreateTls } from "./tls.js";
import { QuotaScheduler } from "../groups/quota-scheduler.js";

export interface ServerOptions {
  dataDir: string;
  postgresUrl?: string;
  host?: string;
  httpPort: number;
  /** Omit to serve plain HTTP only. */
  httpsPort?: number;
  tlsCert?: string;
  tlsKey?: string;
  clock?: Clock;
  log?: Log;
  maxBodyBytes?: number;
  configRefreshMs?: number;
  /** After how long without a heartbeat a background task of a dead node frees the task slot (ms; default 60 000). */
  taskStaleMs?: number;
  /** How often the quota scheduler looks for due allocations (default one minute). */
  quotaIntervalMs?: number;
  /** Write the server-command access file into the data directory (default true). */
  localAccess?: boolean;
  httpLimits?: Partial<HttpLimits>;
  /** PostgreSQL connections per node. */
  poolSize?: number;
  /** PostgreSQL statement_timeout (ms; 0 = none). */
  statementTimeoutMs?: number;
}

export interface RunningServer {
  app: AppContext;
  dispatcher: Dispatcher;
  /** Allocates group quotas; tests call runOnce() after moving the clock. */
  quotaScheduler: QuotaScheduler;
  metrics: Metrics;
  httpPort: number;
  httpsPort?: number;
  close(): Promise<void>;
}

export function sqlitePathOf(dataDir: string): string {
  return join(dataDir, "quire.db");
}

export async function openContext(
  options: Pick<ServerOptions, "dataDir" | "postgresUrl" | "clock" | "log" | "configRefreshMs" | "taskStaleMs" | "poolSize" | "statementTimeoutMs">,
): Promise<AppContext> {
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  return createContext({
    dataDir: options.dataDir,
    database: options.postgresUrl
      ? { postgresUrl: options.postgresUrl, poolSize: options.poolSize, statementTimeoutMs: options.statementTimeoutMs }
      : { sqlitePath: sqlitePathOf(options.dataDir) },
    clock: options.clock,
    log: options.log,
    configRefreshMs: options.configRefreshMs,
    taskStaleMs: options.taskStaleMs,
  });
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const app = await openContext(options);
  const dispatcher = new Dispatcher(app, METHODS);
  const metrics = new Metrics(new Set(METHODS.flatMap((m) => [m.name, ...m.aliases])));
  app.db.observer = metrics;
  const routes: Route[] = [
    createRpcRoute(app, dispatcher, { maxBodyBytes: options.maxBodyBytes, observe: metrics.observeRpc }),
    createHealthRoute(app, dispatcher, { metrics }),
    createWebRoute(app),
  ];
  let listeners: Listeners;
  let secret: string | undefined;
  try {
    await ensureHealthKey(app);
    const tls = options.httpsPort !== undefined ? await loadOrCreateTls(options.dataDir, options.tlsCert, options.tlsKey) : undefined;
    listeners = await startListeners(routes, { host: options.host, httpPort: options.httpPort, httpsPort: options.httpsPort, tls, limits: options.httpLimits });
  } catch (error) {
    await app.close();
    throw error;
  }
  if (options.localAccess !== false) {
    secret = newLocalSecret();
    app.security.allowLocalToken(LOCAL_ACCESS_APPLICATION, secret);
    try {
      writeLocalAccess(options.dataDir, { host: connectHostFor(options.host), httpPort: listeners.httpPort, rpcPath: RPC_PATH, secret, pid: process.pid, version: app.version });
    } catch (error) {
      await listeners.close();
      await app.close();
      throw error;
    }
  }
  const quotaScheduler = new QuotaScheduler(app.groups, app.clock, app.log, { intervalMs: options.quotaIntervalMs });
  quotaScheduler.start();
  return {
    app,
    dispatcher,
    quotaScheduler,
    metrics,
    httpPort: listeners.httpPort,
    httpsPort: listeners.httpsPort,
    async close() {
      if (secret) removeLocalAccess(options.dataDir, secret);
      await quotaScheduler.stop();
      await listeners.close();
      await app.close();
    },
  };
}
