// A Quire server in a child process (`node bin/quire.js serve`), for tests that kill it with SIGKILL:
// temp data directory, ephemeral ports, loopback only, and the test token configured before it starts.
import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { openContext } from "../../src/server/start.js";
import { RpcClient } from "./rpc-client.js";
import { TEST_TOKEN } from "./server.js";
import { waitFor } from "./wait.js";

const QUIRE = fileURLToPath(new URL("../../../bin/quire.js", import.meta.url));

export interface ChildServer {
  child: ChildProcess;
  url: string;
  rpc: RpcClient;
  /** SIGKILL: no shutdown code runs. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<void>;
}

/** Sets the test token and creates users (without passwords, so no slow hashing) before the first start. */
export async function prepareDataDir(dataDir: string, postgresUrl: string | undefined, usernames: readonly string[] = []): Promise<void> {
  const app = await openContext({ dataDir, postgresUrl });
  try {
    await app.config.set("auth.webservices.auth-token", JSON.stringify({ tests: TEST_TOKEN }));
    await app.db.write(async (trx) => {
      for (const username of usernames) await app.users.createUser(trx, { username, source: "api" }, { application: "tests" });
    });
  } finally {
    await app.close();
  }
}

export async function startChildServer(dataDir: string, postgresUrl?: string, extraArgs: readonly string[] = []): Promise<ChildServer> {
  const args = [QUIRE, "serve", "--data-dir", dataDir, "--host", "127.0.0.1", "--http-port", "0", "--https-port", "0", "--log-level", "warn"];
  if (postgresUrl) args.push("--postgres-url", postgresUrl);
  args.push(...extraArgs);
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const port = await waitFor(
    "the child server to listen",
    () => {
      if (child.exitCode !== null) throw new Error(`quire serve exited with ${child.exitCode}: ${err}`);
      const m = /http:\/\/localhost:(\d+)\/rpc\/api\/xmlrpc/.exec(out);
      return m ? Number(m[1]) : undefined;
    },
    30_000,
    25,
  );
  const url = `http://127.0.0.1:${port}/rpc/api/xmlrpc`;
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  return {
    child,
    url,
    rpc: new RpcClient(url, TEST_TOKEN),
    async kill() {
      if (!gone()) child.kill("SIGKILL");
      await exited;
    },
    async stop() {
      if (!gone()) child.kill("SIGTERM");
      await exited;
    },
  };
}
