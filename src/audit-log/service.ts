// The audit log: who changed what, when, from which address. The XML-RPC dispatcher records every
// state-changing API call, the admin web interface every change made through it; nothing else writes here.
import type { Database, Trx } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { Invalid } from "../kernel/errors.js";
import { countAuditRows, insertAuditRow, selectAuditRows, type AuditRow } from "./queries.js";

export type { AuditRow } from "./queries.js";

export type AuditSource = "api" | "web";

export interface AuditEntry {
  source: AuditSource;
  /** The token's application name for API calls, the signed-in administrator for the web. */
  actor: string;
  address: string;
  /** The API method name, or a short verb phrase for the web ("adjust balance"). */
  action: string;
  /** What was changed: a username, a config key; "" when the action names it. */
  target?: string;
  /** The arguments or values, with secrets already masked. */
  detail?: string;
}

const MAX_DETAIL = 2000;

export class AuditLogService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Writes one entry in its own transaction, after the change it describes has committed. */
  async record(entry: AuditEntry): Promise<void> {
    await this.db.write((trx) => this.recordIn(trx, entry));
  }

  /** Writes one entry inside the caller's transaction, so that it commits with the change it describes. */
  async recordIn(trx: Trx, entry: AuditEntry): Promise<void> {
    const detail = entry.detail ?? "";
    await insertAuditRow(trx, {
      created_at: this.clock.now(),
      source: entry.source,
      actor: entry.actor,
      address: entry.address,
      action: entry.action,
      target: entry.target ?? "",
      detail: detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail,
    });
  }

  /** A page of entries, newest first, and whether another page follows. */
  async list(filter: { source?: string }, offset: number, limit: number): Promise<{ rows: AuditRow[]; more: boolean }> {
    if (offset < 0 || limit <= 0 || limit > 1000) throw new Invalid("Page out of range.");
    const source = filter.source === "api" || filter.source === "web" ? filter.source : undefined;
    const rows = await selectAuditRows(this.db.kysely, { source }, offset, limit + 1);
    return { rows: rows.slice(0, limit), more: rows.length > limit };
  }

  async count(): Promise<number> {
    return countAuditRows(this.db.kysely);
  }
}
