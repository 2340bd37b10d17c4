// When group quotas are allocated: the periods of setGroupQuota (DAILY, WEEKLY, MONTHLY, or a custom list
// of dates with * wildcards) and the instants their runs fall on. Pure; the scheduler does the allocating.
import { Invalid } from "../kernel/errors.js";

export type QuotaPeriod = "NONE" | "DAILY" | "WEEKLY" | "MONTHLY" | "CUSTOM";

/** One entry of a custom date list: `2010-03-15`, `*-08-01` (every 1 August), `*-*-01` (every 1st). */
export interface CustomDate {
  year: number | null;
  month: number | null;
  day: number;
}

export interface QuotaSchedule {
  period: QuotaPeriod;
  customDates: readonly CustomDate[];
}

/** One allocation run: when it happens and the key that identifies it durably (period and calendar date). */
export interface QuotaRun {
  at: number;
  key: string;
}

/** Local time of day of each kind of run (PaperCut: daily 00:10, weekly Sunday 00:20, monthly 1st 00:30, custom 00:10). */
export const RUN_TIME: Record<Exclude<QuotaPeriod, "NONE">, { hour: number; minute: number }> = {
  DAILY: { hour: 0, minute: 10 },
  WEEKLY: { hour: 0, minute: 20 },
  MONTHLY: { hour: 0, minute: 30 },
  CUSTOM: { hour: 0, minute: 10 },
};

const CUSTOM_ENTRY = /^(\d{4}|\*)-(\d{1,2}|\*)-(\d{1,2})$/;

/** Parses the period argument of setGroupQuota: a keyword (any case) or a comma-separated date list. */
export function parseQuotaPeriod(text: string): QuotaSchedule {
  const t = text.trim();
  const keyword = t.toUpperCase();
  if (keyword === "NONE" || keyword === "DAILY" || keyword === "WEEKLY" || keyword === "MONTHLY") return { period: keyword, customDates: [] };
  if (t === "" || keyword === "CUSTOM") throw new Invalid(`The quota period "${text}" is not valid; use NONE, DAILY, WEEKLY, MONTHLY or a comma-separated list of dates (yyyy-MM-dd, * for any year or month).`);
  const customDates: CustomDate[] = [];
  for (const raw of t.split(",")) {
    const entry = raw.trim();
    if (entry === "") continue;
    const m = CUSTOM_ENTRY.exec(entry);
    if (!m) throw new Invalid(`The quota date "${entry}" is not valid; write yyyy-MM-dd, with * for any year (*-08-01) or any year and month (*-*-01).`);
    const year = m[1] === "*" ? null : Number(m[1]);
    const month = m[2] === "*" ? null : Number(m[2]);
    const day = Number(m[3]);
    if (month !== null && (month < 1 || month > 12)) throw new Invalid(`The quota date "${entry}" has no month ${month}.`);
    if (day < 1 || day > 31) throw new Invalid(`The quota date "${entry}" has no day ${day}.`);
    if (month !== null && day > daysInMonth(year ?? 2000, month)) throw new Invalid(`The quota date "${entry}" does not exist.`);
    if (year !== null && month === null) throw new Invalid(`The quota date "${entry}" gives a year with a wildcard month; use *-*-dd or a full date.`);
    customDates.push({ year, month, day });
  }
  if (customDates.length === 0) throw new Invalid(`The quota period "${text}" lists no dates.`);
  return { period: "CUSTOM", customDates };
}

export function formatCustomDates(dates: readonly CustomDate[]): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return dates.map((d) => `${d.year === null ? "*" : String(d.year)}-${d.month === null ? "*" : two(d.month)}-${two(d.day)}`).join(",");
}

export function parseCustomDates(text: string): CustomDate[] {
  return text.trim() === "" ? [] : [...parseQuotaPeriod(text).customDates];
}

/** Converts between instants and calendar dates/times in one time zone. */
export interface Zone {
  /** The calendar date of an instant. */
  dateOf(ms: number): { year: number; month: number; day: number };
  /** The instant of a calendar date and time of day. */
  instant(year: number, month: number, day: number, hour: number, minute: number): number;
}

export const localZone: Zone = {
  dateOf(ms) {
    const d = new Date(ms);
    return { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate() };
  },
  instant: (year, month, day, hour, minute) => new Date(year, month - 1, day, hour, minute).getTime(),
};

export const utcZone: Zone = {
  dateOf(ms) {
    const d = new Date(ms);
    return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  },
  instant: (year, month, day, hour, minute) => Date.UTC(year, month - 1, day, hour, minute),
};

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whether the schedule has a run on this calendar date. */
export function runsOn(schedule: QuotaSchedule, year: number, month: number, day: number): boolean {
  switch (schedule.period) {
    case "NONE":
      return false;
    case "DAILY":
      return true;
    case "WEEKLY":
      return new Date(Date.UTC(year, month - 1, day)).getUTCDay() === 0;
    case "MONTHLY":
      return day === 1;
    case "CUSTOM":
      return schedule.customDates.some((d) => d.day === day && (d.month === null || d.month === month) && (d.year === null || d.year === year));
  }
}

const DAY_MS = 86_400_000;
/** Recurring schedules fire at least once a year, so no search needs to look further back than this. */
const MAX_SCAN_DAYS = 400;

function runOn(schedule: QuotaSchedule, zone: Zone, date: { year: number; month: number; day: number }): QuotaRun | undefined {
  if (schedule.period === "NONE" || !runsOn(schedule, date.year, date.month, date.day)) return undefined;
  const time = RUN_TIME[schedule.period];
  const two = (n: number) => String(n).padStart(2, "0");
  return { at: zone.instant(date.year, date.month, date.day, time.hour, time.minute), key: `${schedule.period}:${date.year}-${two(date.month)}-${two(date.day)}` };
}

/** Calendar dates from the date of `fromMs` to the date of `toMs`, newest first, at most MAX_SCAN_DAYS of them. */
function* datesBackwards(zone: Zone, fromMs: number, toMs: number): Generator<{ year: number; month: number; day: number }> {
  const first = zone.dateOf(fromMs);
  const last = zone.dateOf(toMs);
  const firstUtc = Date.UTC(first.year, first.month - 1, first.day);
  let cursor = Date.UTC(last.year, last.month - 1, last.day);
  for (let i = 0; i < MAX_SCAN_DAYS && cursor >= firstUtc; i++, cursor -= DAY_MS) {
    const d = new Date(cursor);
    yield { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
  }
}

/** Every run with fromMs < at <= toMs, oldest first (looking back at most about a year from toMs). */
export function dueRuns(schedule: QuotaSchedule, fromMs: number, toMs: number, zone: Zone = localZone): QuotaRun[] {
  const runs: QuotaRun[] = [];
  if (toMs <= fromMs) return runs;
  for (const date of datesBackwards(zone, fromMs, toMs)) {
    const run = runOn(schedule, zone, date);
    if (run && run.at > fromMs && run.at <= toMs) runs.push(run);
  }
  return runs.reverse();
}

/** The most recent run with fromMs < at <= toMs, if any. */
export function latestDueRun(schedule: QuotaSchedule, fromMs: number, toMs: number, zone: Zone = localZone): QuotaRun | undefined {
  if (toMs <= fromMs) return undefined;
  for (const date of datesBackwards(zone, fromMs, toMs)) {
    const run = runOn(schedule, zone, date);
    if (run && run.at > fromMs && run.at <= toMs) return run;
  }
  return undefined;
}
