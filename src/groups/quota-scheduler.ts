// Runs group quota allocation by itself: every tick it finds, for each group with a quota, the latest run
// that is due (after the quota was set, up to now) and allocates it unless it was already allocated. The
// claim is a row in the database, so a tick that runs twice, a restart or a second node never allocates a
// run again. Runs missed while the server was down are caught up once (the latest), not once per run.
import type { Clock } from "../kernel/clock.js";
import type { Log } from "../kernel/log.js";
import { latestDueRun, localZone, type Zone } from "./quota-schedule.js";
import type { GroupsService } from "./service.js";

export interface QuotaAllocation {
  group: string;
  runKey: string;
  /** Members whose balance changed. */
  members: number;
}

export interface QuotaSchedulerOptions {
  /** How often to look for due runs; default one minute. */
  intervalMs?: number;
  zone?: Zone;
}

export class QuotaScheduler {
  private timer?: NodeJS.Timeout;
  private current: Promise<QuotaAllocation[]> = Promise.resolve([]);
  private readonly intervalMs: number;
  private readonly zone: Zone;

  constructor(
    private readonly groups: GroupsService,
    private readonly clock: Clock,
    private readonly log: Log,
    options: QuotaSchedulerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 60_000;
    this.zone = options.zone ?? localZone;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.runOnce().catch((err: unknown) => this.log.error({ err }, "quota allocation failed"));
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.current.catch(() => undefined);
  }

  /** One pass at `now` (the clock's time by default). Passes never overlap. Returns the allocations made. */
  runOnce(now?: number): Promise<QuotaAllocation[]> {
    const next = this.current.catch(() => undefined).then(() => this.allocateDue(now ?? this.clock.now()));
    this.current = next;
    return next;
  }

  private async allocateDue(now: number): Promise<QuotaAllocation[]> {
    const made: QuotaAllocation[] = [];
    for (const group of await this.groups.groupsWithQuota()) {
      const run = latestDueRun(this.groups.scheduleOf(group), group.quota_set_at, now, this.zone);
      if (!run) continue;
      const members = await this.groups.allocateQuotaRun(group.id, run);
      if (members === undefined) continue;
      made.push({ group: group.name, runKey: run.key, members });
      this.log.info({ group: group.name, run: run.key, members }, "quota allocated");
    }
    return made;
  }
}
