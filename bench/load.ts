// What `npm run bench` (run.ts) and `bench/compare.ts` share: the workloads (methods, request bodies
// encoded by Python's xmlrpc.client), the bench servers' messages, and one slice of load from wrk with
// the server's CPU time read from /proc around it.
import { spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { benchUser, type ServerMessage, type ServerReply } from "./protocol.js";

export const repo = join(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

export const RPC_PATH = "/rpc/api/xmlrpc";
export const USER_COUNT = 10_000;
export const BODY_VARIANTS = 256;
const PROPERTIES = [
  "full-name",
  "email",
  "department",
  "office",
  "balance",
  "restricted",
  "primary-card-number",
  "print-stats.job-count",
  "disabled-print",
  "notes",
];

export type Target = "quire" | "ceiling" | "python";

export interface Shape {
  name: string;
  label: string;
  method: string;
  params: (i: number) => unknown[];
  connections: number[];
  targets: Target[];
  /** Minimum ratio to the ceiling at 16 connections. */
  ceilingTarget?: number;
  /** Minimum ratio to Python at 16 connections. */
  pythonTarget?: number;
  /** Minimum requests/s at the given connection count. */
  absoluteTarget?: { connections: number; perSecond: number };
  /** Checks a response from Quire and the baselines before measuring. */
  expect: (xml: string) => boolean;
}

const nameOf = (i: number) => benchUser(1 + ((i * 7919) % USER_COUNT)).username;

export const SHAPES: Shape[] = [
  {
    name: "isUserExists",
    label: "isUserExists",
    method: "api.isUserExists",
    params: (i) => [nameOf(i)],
    connections: [16, 64],
    targets: ["quire", "ceiling", "python"],
    ceilingTarget: 0.55,
    pythonTarget: 2.5,
    expect: (xml) => xml.includes("<boolean>1</boolean>"),
  },
  {
    name: "getUserProperties",
    label: "getUserProperties (10)",
    method: "api.getUserProperties",
    params: (i) => [nameOf(i), PROPERTIES],
    connections: [16, 64],
    targets: ["quire", "ceiling", "python"],
    ceilingTarget: 0.4,
    pythonTarget: 2.5,
    expect: (xml) => !xml.includes("<fault>") && xml.includes("@example.edu"),
  },
  {
    name: "listUserAccounts",
    label: "listUserAccounts(0, 1000)",
    method: "api.listUserAccounts",
    params: () => [0, 1000],
    connections: [16, 64],
    targets: ["quire", "ceiling", "python"],
    ceilingTarget: 0.24,
    pythonTarget: 2.5,
    expect: (xml) => !xml.includes("<fault>") && (xml.match(/<value>/g) ?? []).length === 1001,
  },
  {
    name: "adjustUserAccountBalance",
    label: "adjustUserAccountBalance",
    method: "api.adjustUserAccountBalance",
    params: (i) => [nameOf(i), 0.25, "bench"],
    connections: [16, 50, 64],
    targets: ["quire", "ceiling"],
    absoluteTarget: { connections: 50, perSecond: 5000 },
    expect: (xml) => xml.includes("<boolean>1</boolean>"),
  },
];


// ---------------------------------------------------------------------------------------------
// Child processes

export function waitFor<T extends ServerReply["type"]>(child: ChildProcess, type: T, timeoutMs: number): Promise<Extract<ServerReply, { type: T }>> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`no ${type} message from a bench server within ${timeoutMs} ms`)), timeoutMs);
    const onMessage = (message: ServerReply) => {
      if (message.type === type) done(undefined, message as Extract<ServerReply, { type: T }>);
    };
    const onExit = (code: number | null) => done(new Error(`a bench server exited early (code ${code})`));
    function done(error?: Error, message?: Extract<ServerReply, { type: T }>) {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
      if (error) reject(error);
      else resolve(message!);
    }
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

export function send(child: ChildProcess, message: ServerMessage): void {
  if (child.connected) child.send(message);
}

/**
 * Asks every bench child to stop and waits until all have exited. Bounded: a child that does not stop
 * in 10 s is killed (a clean stop is what writes a CPU profile).
 */
export async function stopChildren(children: readonly ChildProcess[]): Promise<void> {
  const exits = children.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(undefined) : child.once("exit", resolve))));
  for (const child of children) {
    send(child, { type: "stop" });
    if (child.exitCode === null && !child.connected) child.kill();
  }
  const timer = setTimeout(() => children.forEach((child) => child.exitCode === null && child.kill("SIGKILL")), 10_000);
  await Promise.all(exits);
  clearTimeout(timer);
}


// ---------------------------------------------------------------------------------------------
// Load

export interface Slice {
  requests: number;
  durationUs: number;
  p50Us: number;
  p99Us: number;
  errors: number;
  non2xx: number;
  /** CPU time the server process used during the slice (all its threads). */
  serverCpuUs: number;
}

const TICK_US = 1e6 / Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim() || 100);

/** User + system CPU time of a process so far, from /proc (Linux). */
function cpuTimeUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // After the command name: state is field 3, utime field 14 and stime field 15 (1-based, man proc).
  return (Number(fields[11]) + Number(fields[12])) * TICK_US;
}

export function runWrk(url: string, connections: number, seconds: number, bodiesFile: string, serverPid: number): Slice {
  const script = join(repo, "bench", "wrk", "post-bodies.lua");
  const cpuBefore = cpuTimeUs(serverPid);
  const result = spawnSync("wrk", ["-t1", `-c${connections}`, `-d${seconds}s`, "--timeout", "5s", "-s", script, url, "--", bodiesFile], {
    encoding: "utf8",
    timeout: (seconds + 20) * 1000,
  });
  if (result.status !== 0) throw new Error(`wrk failed: ${result.error?.message ?? result.stderr}`);
  const line = result.stdout.split("\n").find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no summary:\n${result.stdout}`);
  return { ...(JSON.parse(line) as Omit<Slice, "serverCpuUs">), serverCpuUs: cpuTimeUs(serverPid) - cpuBefore };
}

export async function post(url: string, body: string): Promise<string> {
  const response = await fetch(url, { method: "POST", headers: { "Content-Type": "text/xml" }, body });
  return response.text();
}

export function encodeBodies(token: string, calls: Array<{ method: string; params: unknown[] }>): string[] {
  const input = JSON.stringify(calls.map((c) => ({ method: c.method, params: [token, ...c.params] })));
  const result = spawnSync("python3", [join(repo, "bench", "python", "request-bodies.py")], { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`encoding request bodies failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as string[];
}
