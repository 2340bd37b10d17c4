// The common loop of every batch import: stream the file, parse each line, apply records in batches
// (one write unit each, one savepoint per line so a bad line changes nothing), report progress and bad
// lines (with their line numbers) into the task status, and count outcomes.
import { Invalid, QuireError } from "../kernel/errors.js";
import { readLines } from "../kernel/text-file.js";
import { checkNotStopped, type TaskProgress } from "../tasks/service.js";

export const BATCH_LINES = 500;
export const PROGRESS_EVERY = 10_000;
/** Bad lines reported one by one; beyond this only their count is given. */
export const MAX_REPORTED_ERRORS = 100;

export interface LineRecord<R> {
  line: number;
  record: R;
}

export class ImportErrors {
  count = 0;
  private pending: string[] = [];

  add(line: number, error: unknown): void {
    this.count++;
    if (this.count <= MAX_REPORTED_ERRORS) this.pending.push(`Line ${line}: ${messageOf(error)}`);
    else if (this.count === MAX_REPORTED_ERRORS + 1) this.pending.push(`More than ${MAX_REPORTED_ERRORS} lines have errors; only their number is reported from here on.`);
  }

  /** Writes the errors collected since the last flush into the task status. */
  async flush(progress: TaskProgress): Promise<void> {
    const lines = this.pending;
    this.pending = [];
    for (const line of lines) await progress.line(line);
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof QuireError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Splits a tab-separated record; missing trailing fields are blank, extra fields are ignored. */
export function tabFields(text: string, count: number): string[] {
  const fields = text.split("\t");
  while (fields.length < count) fields.push("");
  return fields.slice(0, count);
}

export function flagField(name: string, text: string): "Y" | "N" | undefined {
  const t = text.trim().toUpperCase();
  if (t === "") return undefined;
  if (t === "Y" || t === "N") return t;
  throw new Invalid(`${name} must be Y or N, not "${text}".`);
}

/**
 * Streams `path`, parses non-blank lines with `parse` (which throws for a bad line) and hands records
 * to `applyBatch` in batches. Returns the number of lines read.
 */
export async function importLines<R>(
  path: string,
  progress: TaskProgress,
  errors: ImportErrors,
  parse: (text: string) => R,
  applyBatch: (batch: Array<LineRecord<R>>) => Promise<void>,
): Promise<number> {
  let batch: Array<LineRecord<R>> = [];
  let lines = 0;
  let reported = 0;
  const flushBatch = async () => {
    if (batch.length > 0) await applyBatch(batch);
    batch = [];
    await errors.flush(progress);
  };
  for await (const { number, text } of readLines(path)) {
    lines = number;
    if (text.trim() === "") continue;
    try {
      batch.push({ line: number, record: parse(text) });
    } catch (error) {
      errors.add(number, error);
    }
    if (batch.length >= BATCH_LINES) {
      checkNotStopped(progress.signal);
      await flushBatch();
      if (number >= reported + PROGRESS_EVERY) {
        reported = number - (number % PROGRESS_EVERY);
        await progress.line(`Processed ${number} lines...`);
      }
    }
  }
  await flushBatch();
  return lines;
}
