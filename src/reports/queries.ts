// Read-only figures across users, accounts and the ledger for the dashboard and the transaction log.
import { sql } from "kysely";
import type { Db } from "../db/database.js";

export const DAY_MS = 86_400_000;

export async function countLiveSharedAccounts(db: Db): Promise<number> {
  const row = await db
    .selectFrom("accounts")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("account_type", "=", "shared")
    .where("deleted_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Number of live personal default accounts per balance bucket; `bounds` are ascending upper limits in micros (exclusive). */
export async function selectBalanceBuckets(db: Db, bounds: readonly number[]): Promise<number[]> {
  const row = await db
    .selectFrom("accounts")
    .select((eb) => {
      const cols = bounds.map((upper, i) => {
        const lower = i === 0 ? undefined : bounds[i - 1];
        const cond = lower === undefined ? sql`balance < ${upper}` : sql`balance >= ${lower} and balance < ${upper}`;
        return eb.fn.sum<number>(sql`case when ${cond} then 1 else 0 end`).as(`b${i}`);
      });
      const last = bounds[bounds.length - 1];
      return [...cols, eb.fn.sum<number>(sql`case when balance >= ${last} then 1 else 0 end`).as(`b${bounds.length}`), eb.fn.sum<number>("balance").as("total")];
    })
    .where("account_type", "=", "personal")
    .where("sub_name", "=", "")
    .where("deleted_at", "is", null)
    .executeTakeFirstOrThrow();
  const values = row as unknown as Record<string, number | string | null>;
  return Array.from({ length: bounds.length + 1 }, (_, i) => Number(values[`b${i}`] ?? 0));
}

export async function sumPersonalBalancesAll(db: Db): Promise<number> {
  const row = await db
    .selectFrom("accounts")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("balance"), eb.val(0)).as("total"))
    .where("account_type", "=", "personal")
    .where("deleted_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** Ledger rows per UTC day since `since`: count, credits and debits (debits as a positive number). */
export async function selectLedgerPerDay(db: Db, since: number): Promise<Array<{ day: number; count: number; credits: number; debits: number }>> {
  const day = sql<number>`created_at / ${sql.lit(DAY_MS)}`;
  const rows = await db
    .selectFrom("ledger")
    .select((eb) => [
      day.as("day"),
      eb.fn.countAll<number>().as("count"),
      eb.fn.sum<number>(sql`case when amount > 0 then amount else 0 end`).as("credits"),
      eb.fn.sum<number>(sql`case when amount < 0 then -amount else 0 end`).as("debits"),
    ])
    .where("created_at", ">=", since)
    .groupBy(day)
    .execute();
  return rows.map((r) => ({ day: Number(r.day), count: Number(r.count), credits: Number(r.credits ?? 0), debits: Number(r.debits ?? 0) }));
}

/** The users whose personal accounts were debited most since `since`. */
export async function selectTopSpenders(db: Db, since: number, limit: number): Promise<Array<{ username: string; spent: number }>> {
  // Sum per account first (an index-only range scan), then join the far fewer accounts to their users.
  const perAccount = db
    .selectFrom("ledger")
    .select((eb) => ["ledger.account_id", eb.fn.sum<number>(sql`-ledger.amount`).as("spent")])
    .where("ledger.created_at", ">=", since)
    .where("ledger.amount", "<", 0)
    .groupBy("ledger.account_id")
    .as("s");
  const rows = await db
    .selectFrom(perAccount)
    .innerJoin("accounts", "accounts.id", "s.account_id")
    .innerJoin("users", "users.id", "accounts.user_id")
    .select((eb) => ["users.username", eb.fn.sum<number>("s.spent").as("spent")])
    .where("accounts.account_type", "=", "personal")
    .where("users.deleted_at", "is", null)
    .groupBy("users.username")
    .orderBy("spent", "desc")
    .orderBy("users.username")
    .limit(limit)
    .execute();
  return rows.map((r) => ({ username: r.username, spent: Number(r.spent) }));
}

export interface TransactionRow {
  id: number;
  created_at: number;
  amount: number;
  balance_after: number;
  kind: string;
  comment: string;
  created_by: string;
  account_type: string;
  account_name: string;
  sub_name: string;
  username: string | null;
}

/** The transaction log across every account, newest first; optionally one account's rows only. */
export async function selectTransactions(db: Db, filter: { accountIds?: readonly number[] }, offset: number, limit: number): Promise<TransactionRow[]> {
  let q = db
    .selectFrom("ledger")
    .innerJoin("accounts", "accounts.id", "ledger.account_id")
    .leftJoin("users", "users.id", "accounts.user_id")
    .select([
      "ledger.id",
      "ledger.created_at",
      "ledger.amount",
      "ledger.balance_after",
      "ledger.kind",
      "ledger.comment",
      "ledger.created_by",
      "accounts.account_type",
      "accounts.name as account_name",
      "accounts.sub_name",
      "users.username",
    ]);
  if (filter.accountIds) {
    if (filter.accountIds.length === 0) return [];
    q = q.where("ledger.account_id", "in", filter.accountIds);
  }
  return q.orderBy("ledger.id", "desc").limit(limit).offset(offset).execute();
}
