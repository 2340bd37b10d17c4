// Starts a real Quire server for a test: its own data directory, ephemeral ports, and a known web
// services token; returns an XML-RPC client bound to it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer, type ServerOptions } from "../../src/server/start.js";
import { createPostgresDatabase, type Backend } from "./backends.js";
import { RpcClient } from "./rpc-client.js";

export const TEST_TOKEN = "test-token-0123456789";
export const TEST_ADMIN_PASSWORD = "admin-password-for-tests";

export interface TestServer {
  server: RunningServer;
  backend: Backend;
  dataDir: string;
  url: string;
  httpsUrl: string;
  rpc: RpcClient;
  close(): Promise<void>;
}

export async function startTestServer(backend: Backend, options: Partial<ServerOptions> = {}): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "quire-test-"));
  const pgdb = backend === "postgres" ? await createPostgresDatabase() : undefined;
  const server = await startServer({ dataDir, postgresUrl: pgdb?.url, host: "127.0.0.1", httpPort: 0, httpsPort: 0, ...options });
  await server.app.security.changeAdminPassword(TEST_ADMIN_PASSWORD);
  await server.app.config.set("auth.webservices.auth-token", JSON.stringify({ tests: TEST_TOKEN }));
  const url = `http://127.0.0.1:${server.httpPort}/rpc/api/xmlrpc`;
  const httpsUrl = `https://127.0.0.1:${server.httpsPort}/rpc/api/xmlrpc`;
  return {
    server,
    backend,
    dataDir,
    url,
    httpsUrl,
    rpc: new RpcClient(url, TEST_TOKEN),
    async close() {
      await server.close();
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
