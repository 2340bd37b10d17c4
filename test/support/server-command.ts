// Runs the compiled `server-command` bin as a child process against a test server's data directory.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The repository root, from dist/test/support. */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
export const QUIRE_BIN = fileURLToPath(new URL("../../../bin/quire.js", import.meta.url));
export const SERVER_COMMAND_BIN = fileURLToPath(new URL("../../../bin/server-command.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function serverCommand(dataDir: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      [SERVER_COMMAND_BIN, "--data-dir", dataDir, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== "number") return reject(error);
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
  });
}
