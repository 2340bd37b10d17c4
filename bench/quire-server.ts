// The Quire server under benchmark, run by run.ts as a child process: a fresh data directory on SQLite,
// a seeded user population and one web services token, listening on 127.0.0.1 only. Answers "stats"
// messages with the group-commit counters and stops on "stop".
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KNOWN_KEYS } from "../src/config/defaults.js";
import { startServer } from "../src/server/start.js";
import { benchUser, type ServerMessage, type ServerReply } from "./protocol.js";

const [token, countText, profileDir] = process.argv.slice(2);
const userCount = Number(countText);
const SEED_CHUNK = 1000;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), "quire-bench-"));
  const server = await startServer({ dataDir, host: "127.0.0.1", httpPort: 0 });
  const { app } = server;
  await app.config.set(KNOWN_KEYS.authToken, JSON.stringify({ bench: token }));
  for (let start = 1; start <= userCount; start += SEED_CHUNK) {
    await app.db.write(async (trx) => {
      for (let i = start; i < Math.min(start + SEED_CHUNK, userCount + 1); i++) {
        const user = benchUser(i);
        await app.users.createUser(
          trx,
          { username: user.username, source: "internal", full_name: user.fullName, email: user.email, department: user.department, office: user.office, primary_card: user.card },
          { application: "bench" },
        );
      }
    });
  }
  // With a profile directory: a CPU profile of the serving phase only (seeding left out).
  const profiler = profileDir ? new Session() : undefined;
  if (profiler) {
    profiler.connect();
    await profiler.post("Profiler.enable");
    await profiler.post("Profiler.start");
  }
  const reply = (message: ServerReply) => process.send?.(message);
  process.on("message", (message: ServerMessage) => {
    if (message.type === "stats") reply({ type: "stats", stats: app.db.commitStats() ?? { commits: 0, units: 0 } });
    if (message.type === "stop") {
      void (async () => {
        if (profiler) {
          const { profile } = await profiler.post("Profiler.stop");
          mkdirSync(profileDir, { recursive: true });
          writeFileSync(join(profileDir, `quire-${Date.now()}.cpuprofile`), JSON.stringify(profile));
        }
        await server.close();
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      })();
    }
  });
  // Stop with the parent, whatever happens to it.
  process.on("disconnect", () => {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  });
  reply({ type: "ready", port: server.httpPort });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
