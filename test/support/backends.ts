// Runs one suite against each storage backend: the embedded SQLite and a PostgreSQL database created
// for the test in the run's throwaway cluster (QUIRE_TEST_PG_URL, set by scripts/test.js).
import { randomBytes } from "node:crypto";
import pg from "pg";

export type Backend = "sqlite" | "postgres";

export const BACKENDS: Backend[] = process.env.QUIRE_TEST_SKIP_PG === "1" ? ["sqlite"] : ["sqlite", "postgres"];

/** Creates an empty PostgreSQL database and returns its URL plus a function that drops it. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const base = process.env.QUIRE_TEST_PG_URL;
  if (!base) throw new Error("QUIRE_TEST_PG_URL is not set: run the tests with `npm test`, which starts a throwaway PostgreSQL.");
  const name = `quire_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(base);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}
