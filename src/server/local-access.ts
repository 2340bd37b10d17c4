// How `server-command` finds and authenticates to the running server: at every start the server writes
// its HTTP port and a fresh random secret into the data directory, in a file only the owner can read.
// The secret is accepted as an auth token from loopback callers only and never appears in config.
import { randomBytes } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Unavailable } from "../kernel/errors.js";

export const LOCAL_ACCESS_FILE = "server-command.json";
export const LOCAL_ACCESS_APPLICATION = "server-command";

export interface LocalAccess {
  /** The loopback address server-command connects to. */
  host: string;
  httpPort: number;
  /** The XML-RPC path on that port. */
  rpcPath: string;
  secret: string;
  pid: number;
  version: string;
}

export function newLocalSecret(): string {
  return randomBytes(32).toString("base64url");
}

/** The address a same-machine client should use for a server listening on `listenHost`. */
export function connectHostFor(listenHost: string | undefined): string {
  const host = (listenHost ?? "").trim();
  if (host === "" || host === "::" || host === "0.0.0.0" || host === "localhost") return "127.0.0.1";
  return host;
}

/** Writes the file atomically (temporary file, then rename) with mode 0600. */
export function writeLocalAccess(dataDir: string, access: LocalAccess): void {
  const file = join(dataDir, LOCAL_ACCESS_FILE);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify(access) + "\n", { mode: 0o600 });
  renameSync(temp, file);
}

/** Removes the file if it still belongs to this server (another server may have started on the directory since). */
export function removeLocalAccess(dataDir: string, secret: string): void {
  try {
    const current = readLocalAccess(dataDir);
    if (current.secret === secret) rmSync(join(dataDir, LOCAL_ACCESS_FILE), { force: true });
  } catch {
    // nothing to remove
  }
}

export function readLocalAccess(dataDir: string): LocalAccess {
  const file = join(dataDir, LOCAL_ACCESS_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === "EACCES") throw new Unavailable(`Cannot read ${file}: run server-command as the user that runs the Quire server.`);
    throw new Unavailable(`The Quire server does not seem to be running for the data directory ${dataDir} (no ${LOCAL_ACCESS_FILE}); start it with "quire serve", or pass --data-dir.`);
  }
  let parsed: Partial<LocalAccess>;
  try {
    parsed = JSON.parse(text) as Partial<LocalAccess>;
  } catch {
    throw new Unavailable(`${file} is damaged; restart the Quire server to rewrite it.`);
  }
  if (typeof parsed.secret !== "string" || typeof parsed.httpPort !== "number" || typeof parsed.host !== "string" || typeof parsed.rpcPath !== "string") {
    throw new Unavailable(`${file} is damaged; restart the Quire server to rewrite it.`);
  }
  return { host: parsed.host, httpPort: parsed.httpPort, rpcPath: parsed.rpcPath, secret: parsed.secret, pid: parsed.pid ?? 0, version: parsed.version ?? "" };
}
