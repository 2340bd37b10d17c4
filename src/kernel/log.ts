// Structured, leveled logging (one JSON object a line). Secrets are redacted by path.
import { pino, type Logger } from "pino";

export type Log = Logger;

export const REDACTED_PATHS = ["token", "authToken", "password", "pin", "secret", "*.token", "*.password", "*.pin", "*.secret"];

export function createLog(options: { level?: string; destination?: string } = {}): Log {
  const level = options.level ?? process.env.QUIRE_LOG_LEVEL ?? "info";
  const opts = { level, base: undefined, redact: { paths: REDACTED_PATHS, censor: "[redacted]" } };
  if (options.destination) return pino(opts, pino.destination({ dest: options.destination, mkdir: true, sync: false }));
  return pino(opts, pino.destination({ dest: 2, sync: false }));
}

export const silentLog: Log = pino({ level: "silent" });
