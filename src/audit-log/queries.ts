// Audit rows: one per admin or API change, newest first when listed.
import type { Selectable } from "kysely";
import type { Db, Trx } from "../db/database.js";
import type { AuditTable } from "../db/schema.js";
import { precompiled } from "../db/precompiled.js";

export type AuditRow = Selectable<AuditTable>;

export interface NewAuditRow {
  created_at: number;
  source: string;
  actor: string;
  address: string;
  action: string;
  target: string;
  detail: string;
}

// Written once per state-changing API call: compiled once (see db/precompiled.ts).
const auditInsert = precompiled((db, createdAt: number, source: string, actor: string, address: string, action: string, target: string, detail: string) =>
  db.insertInto("audit").values({ created_at: createdAt, source, actor, address, action, target, detail }),
);

export async function insertAuditRow(trx: Trx, row: NewAuditRow): Promise<void> {
  await auditInsert.run(trx, row.created_at, row.source, row.actor, row.address, row.action, row.target, row.detail);
}

/** A page of rows, newest first; `source` narrows to "api" or "web". One row more than `limit` tells the caller a next page exists. */
export async function selectAuditRows(db: Db | Trx, filter: { source?: string }, offset: number, limit: number): Promise<AuditRow[]> {
  let q = db.selectFrom("audit").selectAll();
  if (filter.source) q = q.where("source", "=", filter.source);
  return q.orderBy("id", "desc").limit(limit).offset(offset).execute();
}

export async function countAuditRows(db: Db | Trx): Promise<number> {
  const row = await db
    .selectFrom("audit")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
