// Runs background work (imports, syncs, backups) one task at a time per installation and keeps the
// status api.getTaskStatus reports: a message that only ever grows by whole lines and, once the task
// is completed, ends with a summary line. The status lives in the database so every node sees it.
import { randomBytes } from "node:crypto";
import type { Database } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { Conflict, QuireError } from "../kernel/errors.js";
import type { Log } from "../kernel/log.js";
import { appendTaskMessage, claimTaskSlot, selectTaskStatus, touchTaskHeartbeat } from "./queries.js";

export interface TaskStatus {
  completed: boolean;
  message: string;
}

/** What a running task may do: report a line, and notice that the server is stopping. */
export interface TaskProgress {
  line(text: string): Promise<void>;
  readonly signal: AbortSignal;
}

/** The work of a task; it returns the summary line. */
export type TaskWork = (progress: TaskProgress) => Promise<string>;

export interface TaskRunnerOptions {
  /** How often a running task proves it is alive (ms). */
  heartbeatMs?: number;
  /** A task whose node sent no heartbeat for this long is considered dead and its slot may be taken (ms). */
  staleMs?: number;
}

/** Local time as yyyy-MM-dd HH:mm:ss, the prefix of every status line. */
export function formatLocalTime(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

export class TaskRunner {
  private current: Promise<void> | undefined;
  private abort = new AbortController();
  private readonly heartbeatMs: number;
  private readonly staleMs: number;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly log: Log,
    options: TaskRunnerOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 10_000;
    this.staleMs = options.staleMs ?? 60_000;
  }

  /** The current or most recent task; before any task: completed with an empty message. */
  async status(): Promise<TaskStatus> {
    const row = await selectTaskStatus(this.db.kysely);
    if (!row) return { completed: true, message: "" };
    // A task whose node stopped sending heartbeats will never finish: report it as ended, so a script
    // polling for completion stops waiting, and say why. The slot is free to claim from then on.
    const diedAt = row.heartbeat_at + this.staleMs;
    if (row.completed === 0 && diedAt < this.clock.now()) {
      const note = `Interrupted: the node running this task stopped (no heartbeat for ${Math.round(this.staleMs / 1000)} s); its finished steps are kept. Start the task again.`;
      return { completed: true, message: row.message + stampAt(note, diedAt) };
    }
    return { completed: row.completed === 1, message: row.message };
  }

  /**
   * Starts `work` in the background after claiming the task slot; faults at once when another task
   * is running (on this node or another one sharing the database). Returns when the task has started.
   */
  async start(name: string, firstLine: string, work: TaskWork): Promise<void> {
    const owner = randomBytes(8).toString("hex");
    const now = this.clock.now();
    const claimed = await this.db.write((trx) => claimTaskSlot(trx, name, owner, this.stamp(firstLine), now, now - this.staleMs));
    if (!claimed) {
      const running = await selectTaskStatus(this.db.kysely);
      throw new Conflict(`Another background task is running (${running?.name ?? "unknown"}); wait until api.getTaskStatus reports it completed, then try again.`);
    }
    if (this.abort.signal.aborted) this.abort = new AbortController();
    const signal = this.abort.signal;
    const progress: TaskProgress = {
      signal,
      line: async (text) => {
        await this.db.write((trx) => appendTaskMessage(trx, owner, this.stamp(text), this.clock.now(), false));
      },
    };
    const heartbeat = setInterval(() => {
      this.db.write((trx) => touchTaskHeartbeat(trx, owner, this.clock.now())).catch(() => undefined);
    }, this.heartbeatMs);
    heartbeat.unref();
    const run = async () => {
      let summary: string;
      try {
        summary = await work(progress);
      } catch (error) {
        if (!(error instanceof QuireError)) this.log.error({ err: error, task: name }, "background task failed");
        summary = `Failed: ${error instanceof Error ? error.message : String(error)}`;
      } finally {
        clearInterval(heartbeat);
      }
      try {
        await this.db.write((trx) => appendTaskMessage(trx, owner, this.stamp(summary), this.clock.now(), true));
      } catch (error) {
        this.log.error({ err: error, task: name }, "could not record the end of a background task");
      }
    };
    const promise = run().finally(() => {
      if (this.current === promise) this.current = undefined;
    });
    this.current = promise;
  }

  /** Resolves when no task started by this node is running. */
  async whenIdle(): Promise<void> {
    while (this.current) await this.current;
  }

  /** Asks a running task to stop at its next check and waits for it. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.whenIdle();
  }

  private stamp(text: string): string {
    return stampAt(text, this.clock.now());
  }
}

function stampAt(text: string, ms: number): string {
  const lines = text.split(/\r?\n/).filter((l) => l !== "");
  const at = formatLocalTime(ms);
  return lines.map((l) => `${at} - ${l}\n`).join("");
}

/** Throws when the server is stopping, so a task ends with a clear summary instead of half-finishing silently. */
export function checkNotStopped(signal: AbortSignal): void {
  if (signal.aborted) throw new Conflict("The server is stopping; the task was interrupted.");
}
