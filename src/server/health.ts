// The System Health API (/api/health/…) and the Prometheus endpoint (/metrics), both authorised by the
// key in config `health.api.key`, sent as the raw `Authorization` header (or an `Authorization` query
// parameter). Features that are not part of this build (printers, tasks) are reported as absent, not as
// errors: the health data is read through the method table, so it grows as methods are added.
import { randomBytes, timingSafeEqual } from "node:crypto";
import { readdirSync, statfsSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import type { AppContext } from "../context.js";
import { digestOf } from "../security/tokens.js";
import type { Dispatcher } from "../rpc/dispatcher.js";
import type { Metrics } from "./metrics.js";
import type { Route } from "./http.js";

export const HEALTH_KEY_CONFIG = "health.api.key";
export const HEALTH_PREFIX = "/api/health";
export const METRICS_PATH = "/metrics";
export const BACKUPS_DIR = "backups";
const DEFAULT_DISK_THRESHOLD_MB = 1024;
const TEMPLATE_PRINTER = "!!template printer!!";
const MAX_PRINTERS = 10_000;

/** Makes a random health key on first start, so the endpoints are never open without one. */
export async function ensureHealthKey(app: AppContext): Promise<void> {
  if (app.config.get(HEALTH_KEY_CONFIG).trim() !== "") return;
  await app.config.set(HEALTH_KEY_CONFIG, randomBytes(24).toString("base64url"));
}

interface StatusAnswer {
  status: string;
  comment: string;
}

interface PrinterHealth {
  name: string;
  status: string;
  heldJobsCount: number;
  id?: string;
}

/** Reads through the method table, so the health API sees whatever features this build serves. */
class TableReader {
  constructor(
    private readonly app: AppContext,
    private readonly dispatcher: Dispatcher,
  ) {}

  serves(name: string): boolean {
    return this.dispatcher.lookup(name) !== undefined;
  }

  async call<T>(name: string, ...args: unknown[]): Promise<T | undefined> {
    const def = this.dispatcher.lookup(name);
    if (!def) return undefined;
    return (await def.call({ app: this.app, caller: { application: "health", address: "" } }, args)) as T;
  }
}

export interface HealthRouteOptions {
  metrics: Metrics;
}

export function createHealthRoute(app: AppContext, dispatcher: Dispatcher, options: HealthRouteOptions): Route {
  const reader = new TableReader(app, dispatcher);

  const authorised = (req: IncomingMessage, url: URL): boolean => {
    const key = app.config.get(HEALTH_KEY_CONFIG).trim();
    if (key === "") return false;
    const header = req.headers.authorization;
    const given = typeof header === "string" && header !== "" ? header.trim() : (url.searchParams.get("Authorization") ?? "");
    return given !== "" && timingSafeEqual(digestOf(given), digestOf(key));
  };

  async function database(): Promise<{ status: string; type: string; responseMillis: number; comment: string }> {
    const started = performance.now();
    try {
      await app.db.ping();
      return { status: "OK", type: app.db.dialect, responseMillis: Math.round((performance.now() - started) * 1000) / 1000, comment: "The database answers." };
    } catch (error) {
      return { status: "ERROR", type: app.db.dialect, responseMillis: Math.round(performance.now() - started), comment: `The database is not reachable: ${(error as Error).message}` };
    }
  }

  function disk(thresholdMb: number): { freeMB: number; totalMB: number; status: StatusAnswer } {
    try {
      const s = statfsSync(app.dataDir);
      const freeMB = Math.floor((s.bavail * s.bsize) / 1048576);
      const totalMB = Math.floor((s.blocks * s.bsize) / 1048576);
      const ok = freeMB >= thresholdMb;
      return {
        freeMB,
        totalMB,
        status: { status: ok ? "OK" : `Low disk space: ${freeMB} MB free, below ${thresholdMb} MB`, comment: `Free disk space in the data directory: ${freeMB} MB` },
      };
    } catch (error) {
      return { freeMB: -1, totalMB: -1, status: { status: `Cannot read disk space: ${(error as Error).message}`, comment: "" } };
    }
  }

  function lastBackup(): { lastBackup: string | null; file: string | null; ageHours: number | null } {
    const dir = join(app.dataDir, BACKUPS_DIR);
    let newest: { name: string; mtime: number } | undefined;
    try {
      for (const name of readdirSync(dir)) {
        if (!name.endsWith(".zip")) continue;
        const mtime = statSync(join(dir, name)).mtimeMs;
        if (!newest || mtime > newest.mtime) newest = { name, mtime };
      }
    } catch {
      // no backups directory yet
    }
    if (!newest) return { lastBackup: null, file: null, ageHours: null };
    return { lastBackup: new Date(newest.mtime).toISOString(), file: newest.name, ageHours: Math.round(((app.clock.now() - newest.mtime) / 3600_000) * 100) / 100 };
  }

  async function tasks(): Promise<{ available: boolean; running: boolean; lastMessage: string }> {
    if (!reader.serves("api.getTaskStatus")) return { available: false, running: false, lastMessage: "" };
    try {
      const status = await reader.call<{ completed: boolean; message: string }>("api.getTaskStatus");
      const lines = (status?.message ?? "").split("\n").filter((l) => l.trim() !== "");
      return { available: true, running: status?.completed === false, lastMessage: lines[lines.length - 1] ?? "" };
    } catch {
      return { available: true, running: false, lastMessage: "" };
    }
  }

  async function printers(withIds = false): Promise<{ available: boolean; printers: PrinterHealth[]; devices: PrinterHealth[] }> {
    if (!reader.serves("api.listPrinters")) return { available: false, printers: [], devices: [] };
    const names: string[] = [];
    for (let offset = 0; names.length < MAX_PRINTERS; offset += 1000) {
      const page = (await reader.call<string[]>("api.listPrinters", offset, 1000)) ?? [];
      names.push(...page);
      if (page.length < 1000) break;
    }
    const out: PrinterHealth[] = [];
    const devices: PrinterHealth[] = [];
    for (const full of names) {
      if (full === TEMPLATE_PRINTER) continue;
      const cut = full.indexOf("\\");
      const server = cut < 0 ? "" : full.slice(0, cut);
      const printer = cut < 0 ? full : full.slice(cut + 1);
      let status = "OK";
      let id: string | undefined;
      if (reader.serves("api.getPrinterProperty")) {
        try {
          const disabled = await reader.call<string>("api.getPrinterProperty", server, printer, "disabled");
          if (disabled?.toLowerCase() === "true") status = "NOT_AVAILABLE";
          if (withIds) id = await reader.call<string>("api.getPrinterProperty", server, printer, "printer-id");
        } catch {
          status = "UNKNOWN";
        }
      }
      const entry: PrinterHealth = { name: full, status, heldJobsCount: 0 };
      if (withIds && id !== undefined) entry.id = id;
      (server === "device" ? devices : out).push(entry);
    }
    return { available: true, printers: out, devices };
  }

  async function snapshot(): Promise<Record<string, unknown>> {
    const [db, taskState, printerState] = await Promise.all([database(), tasks(), printers().catch(() => ({ available: false, printers: [], devices: [] }))]);
    const space = disk(DEFAULT_DISK_THRESHOLD_MB);
    const inError = printerState.printers.filter((p) => p.status !== "OK").length;
    return {
      applicationServer: {
        systemInfo: {
          name: "Quire",
          version: `${app.version} (Quire)`,
          startedAt: new Date(app.startedAt).toISOString(),
          uptimeSeconds: Math.floor((app.clock.now() - app.startedAt) / 1000),
          nodeVersion: process.version,
          platform: process.platform,
        },
        status: space.status,
        diskSpace: { freeMB: space.freeMB, totalMB: space.totalMB },
      },
      database: db,
      backups: lastBackup(),
      tasks: taskState,
      printerCounts: { available: printerState.available, total: printerState.printers.length, ok: printerState.printers.length - inError, inError },
      printers: printerState.printers,
      devices: printerState.devices.map((d) => ({ name: d.name.slice("device\\".length), type: "Generic", state: { status: d.status === "OK" ? "OK" : "ERROR", statusDescription: d.status, lastJobSeconds: -1 } })),
      printProviders: [],
      siteServers: [],
      license: { valid: true, devices: {} },
    };
  }

  async function overallStatus(): Promise<StatusAnswer & { message: string }> {
    const db = await database();
    if (db.status !== "OK") return { status: db.comment, message: db.comment, comment: db.comment };
    const space = disk(DEFAULT_DISK_THRESHOLD_MB);
    if (space.status.status !== "OK") return { status: space.status.status, message: space.status.status, comment: space.status.comment };
    return { status: "OK", message: "All systems are working.", comment: "All systems are working." };
  }

  async function answer(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.replace(/\/+$/, "");
    if (path === METRICS_PATH) {
      const body = options.metrics.render({ version: app.version, dialect: app.db.dialect, uptimeSeconds: (app.clock.now() - app.startedAt) / 1000 });
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const sub = path.slice(HEALTH_PREFIX.length);
    if (sub === "") return json(res, 200, await snapshot());
    if (sub === "/status") {
      const s = await overallStatus();
      return json(res, s.status === "OK" ? 200 : 500, { status: s.status, message: s.message });
    }
    if (sub === "/application-server/status") {
      const threshold = Number(url.searchParams.get("disk-threshold-mb") ?? DEFAULT_DISK_THRESHOLD_MB);
      const s = disk(Number.isFinite(threshold) && threshold >= 0 ? threshold : DEFAULT_DISK_THRESHOLD_MB).status;
      return statusJson(res, s);
    }
    if (sub === "/database/status") {
      const db = await database();
      return statusJson(res, { status: db.status === "OK" ? "OK" : db.comment, comment: db.comment });
    }
    if (sub === "/site-servers/status") return statusJson(res, { status: "OK", comment: "Quire has no site servers." });
    if (sub === "/print-providers/status") return statusJson(res, { status: "OK", comment: "No print provider is offline." });
    if (sub === "/license/status") return statusJson(res, { status: "OK", comment: "Quire needs no licence." });
    if (sub === "/print-providers") return json(res, 200, { printProviders: [] });
    if (sub === "/printers" || sub === "/devices") {
      const state = await printers();
      if (sub === "/printers") return json(res, 200, { printers: state.printers });
      const snap = await snapshot();
      return json(res, 200, { devices: snap.devices });
    }
    if (sub === "/printers/status" || sub === "/devices/status") {
      const state = await printers();
      const list = sub === "/printers/status" ? state.printers : state.devices;
      const threshold = Number(url.searchParams.get("in-error-threshold") ?? "0");
      const inError = list.filter((p) => p.status !== "OK");
      const percent = list.length === 0 ? 0 : (inError.length * 100) / list.length;
      const ok = inError.length === 0 || percent < threshold;
      return statusJson(res, { status: ok ? "OK" : `${inError.length} of ${list.length} in error: ${inError.map((p) => p.name).join(", ")}`, comment: `${list.length} in total` });
    }
    const one = /^\/(printers|devices)\/([^/]+)\/status$/.exec(sub);
    if (one) {
      const state = await printers(true);
      const list = one[1] === "printers" ? state.printers : state.devices;
      const found = list.find((p) => p.id === decodeURIComponent(one[2]));
      if (!found) return json(res, 404, { status: `No ${one[1] === "printers" ? "printer" : "device"} with id ${one[2]}`, comment: "" });
      return statusJson(res, { status: found.status === "OK" ? "OK" : `Printer status ${found.status}`, comment: `Status of printer ${found.name}` });
    }
    json(res, 404, { error: "Unknown health endpoint." });
  }

  return function handleHealth(req, res) {
    const rawPath = (req.url ?? "").split("?")[0];
    if (rawPath !== METRICS_PATH && rawPath !== HEALTH_PREFIX && !rawPath.startsWith(HEALTH_PREFIX + "/")) return false;
    req.resume();
    const url = new URL(req.url ?? "/", "http://localhost");
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.setHeader("Allow", "GET");
      json(res, 405, { error: "Use GET." });
      return true;
    }
    if (!authorised(req, url)) {
      json(res, 401, { error: `Unauthorized: send the key of config ${HEALTH_KEY_CONFIG} in the Authorization header.` });
      return true;
    }
    answer(req, res, url).catch((error: unknown) => {
      app.log.error({ err: error }, "health request failed");
      if (!res.headersSent) json(res, 500, { status: "Internal error while collecting health data.", comment: "" });
      else res.end();
    });
    return true;
  };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text), "Cache-Control": "no-store" });
  res.end(text);
}

function statusJson(res: ServerResponse, answer: StatusAnswer): void {
  json(res, answer.status === "OK" ? 200 : 500, answer);
}
