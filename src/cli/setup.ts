// Initialising a data directory: the database schema and the built-in admin password.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { AppContext } from "../context.js";

export const INITIAL_PASSWORD_FILE = "initial-admin-password";

export async function setAdminPassword(app: AppContext, password: string): Promise<void> {
  await app.security.changeAdminPassword(password);
}

/**
 * On a first start without setup, makes a random admin password and writes it to a file only the owner
 * can read, so it never lands in a log. Returns the file's path, or undefined when a password exists.
 */
export async function ensureAdminPassword(app: AppContext): Promise<string | undefined> {
  if (await app.security.hasAdminPassword()) return undefined;
  const password = randomBytes(18).toString("base64url");
  await app.security.changeAdminPassword(password);
  mkdirSync(app.dataDir, { recursive: true });
  const file = join(app.dataDir, INITIAL_PASSWORD_FILE);
  writeFileSync(file, password + "\n", { mode: 0o600 });
  return file;
}
