// Sustained balance adjustments from concurrent clients, each tagged with a unique comment, recording
// what the server acknowledged; and the check that the ledger holds every acknowledged adjustment
// exactly once and nothing that was never sent.
import assert from "node:assert/strict";
import type { Database } from "../../src/db/database.js";
import { Fault, methodCallXml, parseResponse, postRaw } from "./rpc-client.js";
import { TEST_TOKEN } from "./server.js";
import { assertAuditClean } from "./audit.js";

export type Outcome = "acked" | "faulted" | "unknown";

export interface Sent {
  username: string;
  cents: number;
  outcome?: Outcome;
}

export interface LoadOptions {
  /** Each client sends to one URL, round robin over the list by client number. */
  urls: string[];
  clients: number;
  usernames: string[];
  /** Requests per client at most. */
  maxPerClient: number;
  /** Checked before every request: true ends the client. */
  shouldStop?: () => boolean;
  tag: string;
}

export interface Load {
  sent: Map<string, Sent>;
  acked(): number;
  /** Resolves when every client has stopped. */
  done: Promise<void>;
  stop(): void;
}

export function startAdjustLoad(options: LoadOptions): Load {
  const sent = new Map<string, Sent>();
  let stopped = false;
  let acked = 0;
  async function client(id: number): Promise<void> {
    const url = options.urls[id % options.urls.length];
    for (let seq = 0; seq < options.maxPerClient; seq++) {
      if (stopped || options.shouldStop?.()) return;
      const username = options.usernames[(id + seq) % options.usernames.length];
      const magnitude = 1 + ((seq * 7 + id * 3) % 97);
      const cents = seq % 3 === 2 ? -magnitude : magnitude;
      const comment = `${options.tag}-${id}-${seq}`;
      const record: Sent = { username, cents };
      sent.set(comment, record);
      const amount = `${cents < 0 ? "-" : ""}${Math.floor(Math.abs(cents) / 100)}.${String(Math.abs(cents) % 100).padStart(2, "0")}`;
      const body = methodCallXml("api.adjustUserAccountBalance", [TEST_TOKEN, username, { double: amount }, comment]);
      try {
        const res = await postRaw(url, body, { signal: AbortSignal.timeout(15_000) });
        await parseResponse(res.body);
        record.outcome = "acked";
        acked++;
      } catch (error) {
        record.outcome = error instanceof Fault ? "faulted" : "unknown";
        // The node is gone (or answered garbage): this client stops; its last request stays unknown.
        if (!(error instanceof Fault)) return;
      }
    }
  }
  const done = Promise.all(Array.from({ length: options.clients }, (_, i) => client(i))).then(() => undefined);
  return {
    sent,
    acked: () => acked,
    done,
    stop: () => {
      stopped = true;
    },
  };
}

export interface LedgerCheck {
  acked: number;
  unacknowledgedApplied: number;
  unacknowledgedAbsent: number;
  /** Expected balance in cents per username, from the ledger rows that carry the load's tag. */
  centsByUser: Map<string, number>;
}

/**
 * Proves, from the database: every acknowledged adjustment is present exactly once with its amount and
 * user; an unacknowledged one is present at most once (all of it, or none); nothing unsent is present;
 * and every balance equals its ledger (the audit).
 */
export async function assertLedgerHoldsAcknowledged(db: Database, sent: Map<string, Sent>, tag: string): Promise<LedgerCheck> {
  const rows = await db.kysely
    .selectFrom("ledger as l")
    .innerJoin("accounts as a", "a.id", "l.account_id")
    .innerJoin("users as u", "u.id", "a.user_id")
    .select(["l.comment", "l.amount", "u.username"])
    .where("l.comment", "like", `${tag}-%`)
    .execute();
  const seen = new Map<string, number>();
  const centsByUser = new Map<string, number>();
  for (const row of rows) {
    seen.set(row.comment, (seen.get(row.comment) ?? 0) + 1);
    const record = sent.get(row.comment);
    assert.ok(record, `the ledger holds ${row.comment}, which was never sent`);
    assert.equal(row.username, record.username, `${row.comment} was applied to the wrong user`);
    assert.equal(Number(row.amount), record.cents * 10_000, `${row.comment} was applied with the wrong amount`);
    centsByUser.set(row.username, (centsByUser.get(row.username) ?? 0) + record.cents);
  }
  let acked = 0;
  let unacknowledgedApplied = 0;
  let unacknowledgedAbsent = 0;
  for (const [comment, record] of sent) {
    const count = seen.get(comment) ?? 0;
    assert.ok(count <= 1, `${comment} is in the ledger ${count} times`);
    if (record.outcome === "acked") {
      assert.equal(count, 1, `acknowledged adjustment ${comment} is missing from the ledger`);
      acked++;
    } else if (count === 1) unacknowledgedApplied++;
    else unacknowledgedAbsent++;
  }
  await assertAuditClean(db);
  return { acked, unacknowledgedApplied, unacknowledgedAbsent, centsByUser };
}
