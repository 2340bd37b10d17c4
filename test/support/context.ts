// An application context without listeners, for tests that drive services directly: a temp data
// directory and SQLite, or a fresh PostgreSQL database.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AppContext } from "../../src/context.js";
import type { Clock } from "../../src/kernel/clock.js";
import { openContext } from "../../src/server/start.js";
import { createPostgresDatabase, type Backend } from "./backends.js";

export interface TestContext {
  app: AppContext;
  dataDir: string;
  postgresUrl?: string;
  close(): Promise<void>;
}

export async function openTestContext(backend: Backend, options: { clock?: Clock } = {}): Promise<TestContext> {
  const dataDir = mkdtempSync(join(tmpdir(), "quire-ctx-"));
  const pgdb = backend === "postgres" ? await createPostgresDatabase() : undefined;
  const app = await openContext({ dataDir, postgresUrl: pgdb?.url, clock: options.clock });
  return {
    app,
    dataDir,
    postgresUrl: pgdb?.url,
    async close() {
      await app.close();
      await pgdb?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
