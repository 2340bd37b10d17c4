// Account rows and the ledger. Every balance change goes through changeBalance, which updates the
// balance in one statement and writes the ledger row with the balance after it.
import type { Db, Trx } from "../db/database.js";
import type { AccountTable } from "../db/schema.js";
import type { Micros } from "../kernel/money.js";
import type { Selectable } from "kysely";

export type AccountRow = Selectable<AccountTable>;

export interface LedgerEntry {
  kind: string;
  comment: string;
  createdBy: string;
  jobId?: number | null;
}

export async function insertPersonalAccount(trx: Trx, userId: number, subName: string, now: number): Promise<number> {
  const row = await trx
    .insertInto("accounts")
    .values({ account_type: "personal", user_id: userId, sub_name: subName, name: "", created_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function selectPersonalAccount(db: Db | Trx, userId: number, subName: string): Promise<AccountRow | undefined> {
  return db
    .selectFrom("accounts")
    .selectAll()
    .where("account_type", "=", "personal")
    .where("user_id", "=", userId)
    .where("sub_name", "=", subName)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
}

export async function sumPersonalBalances(db: Db | Trx, userId: number): Promise<Micros> {
  const row = await db
    .selectFrom("accounts")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("balance"), eb.val(0)).as("total"))
    .where("account_type", "=", "personal")
    .where("user_id", "=", userId)
    .where("deleted_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function insertLedgerRow(trx: Trx, accountId: number, amount: Micros, balanceAfter: Micros, entry: LedgerEntry, now: number): Promise<void> {
  await trx
    .insertInto("ledger")
    .values({
      account_id: accountId,
      amount,
      balance_after: balanceAfter,
      kind: entry.kind,
      comment: entry.comment,
      created_by: entry.createdBy,
      created_at: now,
      job_id: entry.jobId ?? null,
    })
    .execute();
}

/** Adds `amount` to the balance atomically (balance = balance + amount) and returns the new balance. */
export async function addToBalance(trx: Trx, accountId: number, amount: Micros): Promise<Micros | undefined> {
  const row = await trx
    .updateTable("accounts")
    .set((eb) => ({ balance: eb("balance", "+", amount) }))
    .where("id", "=", accountId)
    .returning("balance")
    .executeTakeFirst();
  return row?.balance;
}

/**
 * Adds `amount` only if, afterwards, the available credit (balance plus overdraft for restricted accounts)
 * is at least `leaveRemaining`. The check and the change are one statement, so concurrent callers cannot
 * both pass the check. Returns the new balance, or undefined when refused.
 */
export async function addToBalanceIfAvailable(
  trx: Trx,
  accountId: number,
  amount: Micros,
  leaveRemaining: Micros,
  defaultOverdraft: Micros,
): Promise<Micros | undefined> {
  const row = await trx
    .updateTable("accounts")
    .set((eb) => ({ balance: eb("balance", "+", amount) }))
    .where("id", "=", accountId)
    .where((eb) =>
      eb.or([
        eb("restricted", "=", 0),
        eb(
          eb(eb("balance", "+", amount), "+", eb.case().when("overdraft_mode", "=", "individual").then(eb.ref("overdraft_amount")).else(defaultOverdraft).end()),
          ">=",
          leaveRemaining,
        ),
      ]),
    )
    .returning("balance")
    .executeTakeFirst();
  return row?.balance;
}

/** Locks the row for the rest of the transaction on PostgreSQL (a no-op write); SQLite already serialises writers. */
export async function lockAccount(trx: Trx, accountId: number): Promise<AccountRow | undefined> {
  await trx
    .updateTable("accounts")
    .set((eb) => ({ balance: eb.ref("balance") }))
    .where("id", "=", accountId)
    .execute();
  return trx.selectFrom("accounts").selectAll().where("id", "=", accountId).executeTakeFirst();
}

export async function updateAccount(trx: Trx, accountId: number, patch: Partial<Omit<AccountRow, "id" | "balance">>): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await trx.updateTable("accounts").set(patch).where("id", "=", accountId).execute();
}

export async function sumLedger(db: Db | Trx, accountId: number): Promise<Micros> {
  const row = await db
    .selectFrom("ledger")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("amount"), eb.val(0)).as("total"))
    .where("account_id", "=", accountId)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function selectLedgerForAccount(db: Db | Trx, accountId: number, limit: number) {
  return db.selectFrom("ledger").selectAll().where("account_id", "=", accountId).orderBy("id", "desc").limit(limit).execute();
}

/** A live shared account by its full name (`Parent\Child` for a child account). */
export async function selectSharedAccountByName(db: Db | Trx, fullName: string): Promise<AccountRow | undefined> {
  return db
    .selectFrom("accounts")
    .selectAll()
    .where("account_type", "=", "shared")
    .where("name", "=", fullName)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
}

/** Every personal account of a user (live or deleted), oldest first. */
export async function selectPersonalAccountsOfUser(db: Db | Trx, userId: number): Promise<AccountRow[]> {
  return db.selectFrom("accounts").selectAll().where("account_type", "=", "personal").where("user_id", "=", userId).orderBy("id").execute();
}

/** Ledger rows of some accounts in id order, `limit` rows after `afterId`. */
export async function selectLedgerPage(db: Db | Trx, accountIds: readonly number[], afterId: number, limit: number) {
  if (accountIds.length === 0) return [];
  return db.selectFrom("ledger").selectAll().where("account_id", "in", accountIds).where("id", ">", afterId).orderBy("id").limit(limit).execute();
}

/** Live shared accounts in name order. */
export async function selectLiveSharedAccounts(db: Db | Trx): Promise<AccountRow[]> {
  return db.selectFrom("accounts").selectAll().where("account_type", "=", "shared").where("deleted_at", "is", null).orderBy("name").execute();
}
