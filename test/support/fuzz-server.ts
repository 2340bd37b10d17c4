// A server for fuzzing: no admin password (so a wrong token costs no argon2 verification per case) and
// the test token configured.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer, type RunningServer } from "../../src/server/start.js";
import { createPostgresDatabase, type Backend } from "./backends.js";
import { TEST_TOKEN } from "./server.js";

export interface FuzzServer {
  server: RunningServer;
  url: string;
  close(): Promise<void>;
}

export async function startFuzzServer(backend: Backend): Promise<FuzzServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "quire-fuzz-"));
  const pgdb = backend === "postgres" ? await createPostgresDatabase() : undefined;
  const server = await startServer({ dataDir, postgresUrl: pgdb?.url, host: "127.0.0.1", httpPort: 0 });
  await server.app.config.set("auth.webservices.auth-token", JSON.stringify({ fuzz: TEST_TOKEN }));
  await server.app.users.addNewInternalUser({ username: "fuzzy", password: "pw", fullName: "Fuzzy", email: "", cardId: "", pin: "" }, { application: "tests" });
  return {
    server,
    url: `http://127.0.0.1:${server.httpPort}/rpc/api/xmlrpc`,
    async close() {
      await server.close();
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
