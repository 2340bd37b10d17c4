// What the benchmark's parts share: the seeded users and the messages between run.ts and its servers.
import type { CommitStats } from "../src/db/group-commit.js";

export interface BenchUser {
  username: string;
  fullName: string;
  email: string;
  department: string;
  office: string;
  card: string;
}

/** The i-th seeded user (1-based); the Python baseline seeds the same users. */
export function benchUser(i: number): BenchUser {
  const n = String(i).padStart(5, "0");
  return {
    username: `user${n}`,
    fullName: `User ${n}`,
    email: `user${n}@example.edu`,
    department: `Department ${i % 40}`,
    office: `Building ${i % 12}`,
    card: `C${n}`,
  };
}

export type ServerMessage = { type: "stats" } | { type: "stop" } | { type: "responses"; responses: Record<string, string> };
export type ServerReply = { type: "ready"; port: number } | { type: "stats"; stats: CommitStats };
