// Sustained api.processJob calls from concurrent clients, each job tagged with a unique comment (which
// the job log and the job's ledger row both carry), recording what the server acknowledged; and the
// check that every acknowledged job is logged exactly once with its charge, and that no job is half
// applied (a charged job without its ledger row, or a job ledger row without its job).
import assert from "node:assert/strict";
import type { Database } from "../../src/db/database.js";
import { Fault, methodCallXml, parseResponse, postRaw } from "./rpc-client.js";
import { TEST_TOKEN } from "./server.js";
import type { Outcome } from "./adjust-load.js";

export interface SentJob {
  username: string;
  cents: number;
  pages: number;
  outcome?: Outcome;
}

export interface JobLoadOptions {
  urls: string[];
  clients: number;
  usernames: string[];
  maxPerClient: number;
  shouldStop?: () => boolean;
  /** Prefix of every job's comment; must not be a prefix of another load's tag. */
  tag: string;
  printer?: string;
}

export interface JobLoad {
  sent: Map<string, SentJob>;
  acked(): number;
  done: Promise<void>;
}

export function startJobLoad(options: JobLoadOptions): JobLoad {
  const sent = new Map<string, SentJob>();
  let acked = 0;
  const printer = options.printer ?? "crash-printer";
  async function client(id: number): Promise<void> {
    const url = options.urls[id % options.urls.length];
    for (let seq = 0; seq < options.maxPerClient; seq++) {
      if (options.shouldStop?.()) return;
      const username = options.usernames[(id + seq) % options.usernames.length];
      const cents = 1 + ((seq * 5 + id) % 9);
      const pages = 1 + ((seq + id) % 4);
      const comment = `${options.tag}-${id}-${seq}`;
      const record: SentJob = { username, cents, pages };
      sent.set(comment, record);
      const details = `user=${username},server=crash-server,printer=${printer},cost=0.${String(cents).padStart(2, "0")},total-pages=${pages},document-name=${comment}.pdf,comment=${comment}`;
      try {
        const res = await postRaw(url, methodCallXml("api.processJob", [TEST_TOKEN, details]), { signal: AbortSignal.timeout(15_000) });
        await parseResponse(res.body);
        record.outcome = "acked";
        acked++;
      } catch (error) {
        record.outcome = error instanceof Fault ? "faulted" : "unknown";
        if (!(error instanceof Fault)) return;
      }
    }
  }
  const done = Promise.all(Array.from({ length: options.clients }, (_, i) => client(i))).then(() => undefined);
  return { sent, acked: () => acked, done };
}

export interface JobCheck {
  acked: number;
  unacknowledgedApplied: number;
  unacknowledgedAbsent: number;
}

/**
 * Proves from the database: every acknowledged job is in the job log exactly once, CHARGED, with its
 * user, pages and cost, and exactly one ledger row (ledger.job_id) taking that cost from the job's
 * account; an unacknowledged job is there whole or not at all; nothing unsent is there; and no ledger
 * row of this load lacks its job.
 */
export async function assertJobsHoldAcknowledged(db: Database, sent: Map<string, SentJob>, tag: string): Promise<JobCheck> {
  const jobs = await db.kysely
    .selectFrom("jobs")
    .select(["id", "comment", "username", "status", "cost", "charged", "total_pages", "account_id"])
    .where("comment", "like", `${tag}-%`)
    .execute();
  const charges = await db.kysely
    .selectFrom("ledger")
    .select(["id", "job_id", "amount", "account_id", "comment"])
    .where("comment", "like", `${tag}-%`)
    .execute();
  const chargesByJob = new Map<number, typeof charges>();
  for (const c of charges) {
    assert.notEqual(c.job_id, null, `ledger row ${c.id} (${c.comment}) is a job charge without a job`);
    const list = chargesByJob.get(Number(c.job_id)) ?? [];
    list.push(c);
    chargesByJob.set(Number(c.job_id), list);
  }
  const seen = new Map<string, number>();
  const jobIds = new Set<number>();
  for (const job of jobs) {
    seen.set(job.comment, (seen.get(job.comment) ?? 0) + 1);
    jobIds.add(Number(job.id));
    const record = sent.get(job.comment);
    assert.ok(record, `the job log holds ${job.comment}, which was never sent`);
    assert.equal(job.username, record.username, `${job.comment} was logged for the wrong user`);
    assert.equal(Number(job.total_pages), record.pages, `${job.comment} was logged with the wrong pages`);
    assert.equal(job.status, "CHARGED", `${job.comment} is ${job.status}`);
    assert.equal(Number(job.cost), record.cents * 10_000, `${job.comment} was logged with the wrong cost`);
    assert.equal(Number(job.charged), record.cents * 10_000, `${job.comment} was charged the wrong amount`);
    const rows = chargesByJob.get(Number(job.id)) ?? [];
    assert.equal(rows.length, 1, `charged job ${job.comment} has ${rows.length} ledger rows`);
    assert.equal(Number(rows[0].amount), -record.cents * 10_000, `the ledger row of ${job.comment} took the wrong amount`);
    assert.equal(Number(rows[0].account_id), Number(job.account_id), `the ledger row of ${job.comment} charged another account`);
  }
  for (const jobId of chargesByJob.keys()) assert.ok(jobIds.has(jobId), `ledger rows name job ${jobId}, which is not in this load's job log`);
  let acked = 0;
  let unacknowledgedApplied = 0;
  let unacknowledgedAbsent = 0;
  for (const [comment, record] of sent) {
    const count = seen.get(comment) ?? 0;
    assert.ok(count <= 1, `job ${comment} is in the job log ${count} times`);
    if (record.outcome === "acked") {
      assert.equal(count, 1, `acknowledged job ${comment} is missing from the job log`);
      acked++;
    } else if (count === 1) unacknowledgedApplied++;
    else unacknowledgedAbsent++;
  }
  return { acked, unacknowledgedApplied, unacknowledgedAbsent };
}
