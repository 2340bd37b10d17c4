// Account rows and the ledger. Every balance change goes through changeBalance, which updates the
// balance in one statement and writes the ledger row with the balance after it.
import type { Db, Trx } from "../db/database.js";
import type { AccountTable, DB } from "../db/schema.js";
import { MAX_MICROS, type Micros } from "../kernel/money.js";
import { PostgresAdapter, sql, type RawBuilder, type Selectable, type SelectQueryBuilder } from "kysely";
import { precompiled } from "../db/precompiled.js";

export type AccountRow = Selectable<AccountTable>;

export interface LedgerEntry {
  kind: string;
  comment: string;
  createdBy: string;
  jobId?: number | null;
}

/** The credit rules a user's personal accounts share: whether restricted, and how their overdraft is set. */
export type CreditRules = Partial<Pick<AccountRow, "restricted" | "overdraft_mode" | "overdraft_amount">>;

export async function insertPersonalAccount(trx: Trx, userId: number, subName: string, now: number, rules: CreditRules = {}): Promise<number> {
  const row = await trx
    .insertInto("accounts")
    .values({ account_type: "personal", user_id: userId, sub_name: subName, name: "", created_at: now, ...rules })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

// The account type is written as a literal, not a parameter: SQLite re-prepares a statement on every
// run when a bound parameter decides whether a partial index (accounts_personal) applies.
const PERSONAL = sql.lit("personal" as const);
const SHARED = sql.lit("shared" as const);

// The hottest queries are compiled once (see db/precompiled.ts).
const personalAccount = precompiled((db, userId: number, subName: string) =>
  db.selectFrom("accounts").selectAll().where("account_type", "=", PERSONAL).where("user_id", "=", userId).where("sub_name", "=", subName).where("deleted_at", "is", null),
);
const balancePlus = precompiled((db, accountId: number, amount: Micros) =>
  db
    .updateTable("accounts")
    .set((eb) => ({ balance: eb("balance", "+", amount) }))
    .where("id", "=", accountId)
    .where((eb) => eb.and([eb(eb("balance", "+", amount), "<=", MAX_MICROS), eb(eb("balance", "+", amount), ">=", -MAX_MICROS)]))
    .returning("balance"),
);
const ledgerRow = precompiled(
  (db, accountId: number, amount: Micros, balanceAfter: Micros, kind: string, comment: string, createdBy: string, createdAt: number, jobId: number | null) =>
    db.insertInto("ledger").values({
      account_id: accountId,
      amount,
      balance_after: balanceAfter,
      kind,
      comment,
      created_by: createdBy,
      created_at: createdAt,
      job_id: jobId,
    }),
);

const balancePlusIfAvailable = precompiled((db, accountId: number, amount: Micros, leaveRemaining: Micros, defaultOverdraft: Micros) =>
  db
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
    .where((eb) => eb(eb("balance", "+", amount), ">=", -MAX_MICROS))
    .returning("balance"),
);
const sharedAccountByName = precompiled((db, fullName: string) =>
  db.selectFrom("accounts").selectAll().where("account_type", "=", SHARED).where("name", "=", fullName).where("deleted_at", "is", null),
);
const accountUsage = precompiled((db, accountId: number, pages: number) =>
  db
    .updateTable("accounts")
    .set((eb) => ({ job_count: eb("job_count", "+", 1), page_count: eb("page_count", "+", pages) }))
    .where("id", "=", accountId),
);

export async function selectPersonalAccount(db: Db | Trx, userId: number, subName: string): Promise<AccountRow | undefined> {
  return personalAccount.takeFirst(db, userId, subName);
}

export async function sumPersonalBalances(db: Db | Trx, userId: number): Promise<Micros> {
  const row = await db
    .selectFrom("accounts")
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("balance"), eb.val(0)).as("total"))
    .where("account_type", "=", PERSONAL)
    .where("user_id", "=", userId)
    .where("deleted_at", "is", null)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

export async function insertLedgerRow(trx: Trx, accountId: number, amount: Micros, balanceAfter: Micros, entry: LedgerEntry, now: number): Promise<void> {
  await ledgerRow.run(trx, accountId, amount, balanceAfter, entry.kind, entry.comment, entry.createdBy, now, entry.jobId ?? null);
}

/**
 * Adds `amount` to the balance atomically (balance = balance + amount) and returns the new balance;
 * undefined when the account does not exist or the new balance would leave ±MAX_MICROS (the range in
 * which every amount and sum stays an exact integer in JavaScript).
 */
export async function addToBalance(trx: Trx, accountId: number, amount: Micros): Promise<Micros | undefined> {
  return (await balancePlus.takeFirst(trx, accountId, amount))?.balance;
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
  return (await balancePlusIfAvailable.takeFirst(trx, accountId, amount, leaveRemaining, defaultOverdraft))?.balance;
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

export async function accountExists(db: Db | Trx, accountId: number): Promise<boolean> {
  return (await db.selectFrom("accounts").select("id").where("id", "=", accountId).executeTakeFirst()) !== undefined;
}

export async function updateAccount(trx: Trx, accountId: number, patch: Partial<Omit<AccountRow, "id" | "balance">>): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await trx.updateTable("accounts").set(patch).where("id", "=", accountId).execute();
}

/** Applies credit rules to every live personal account of a user: restriction is a property of the user. */
export async function updatePersonalAccounts(trx: Trx, userId: number, rules: CreditRules): Promise<void> {
  if (Object.keys(rules).length === 0) return;
  await trx.updateTable("accounts").set(rules).where("account_type", "=", "personal").where("user_id", "=", userId).where("deleted_at", "is", null).execute();
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
  return sharedAccountByName.takeFirst(db, fullName);
}

/** The live shared accounts among `fullNames` (one statement; callers keep the list to a batch). */
export async function selectSharedAccountsByNames(db: Db | Trx, fullNames: readonly string[]): Promise<AccountRow[]> {
  if (fullNames.length === 0) return [];
  return db.selectFrom("accounts").selectAll().where("account_type", "=", SHARED).where("deleted_at", "is", null).where("name", "in", fullNames).execute();
}

/** A subquery selecting user ids (e.g. a group's members), given by the feature that knows the set. */
export type UserIdQuery = SelectQueryBuilder<DB, keyof DB, { user_id: number }>;

/** How a bulk change computes each account's new balance from its current one. */
export type BulkBalanceRule =
  | { kind: "add"; amount: Micros }
  /** Adds, but never above `limit`; a balance already at or above it is left alone. */
  | { kind: "add-up-to"; amount: Micros; limit: Micros }
  | { kind: "set"; balance: Micros };

const bigint = (value: number) => sql<number>`cast(${value} as bigint)`;

/** The new balance as an SQL expression over the current one (`balance` unless another column is given). */
function newBalance(rule: BulkBalanceRule, current: RawBuilder<number> = sql<number>`balance`): RawBuilder<number> {
  const b = current;
  switch (rule.kind) {
    case "add":
      return sql<number>`${b} + ${bigint(rule.amount)}`;
    case "add-up-to":
      return sql<number>`case when ${b} >= ${bigint(rule.limit)} then ${b} when ${b} + ${bigint(rule.amount)} > ${bigint(rule.limit)} then ${bigint(rule.limit)} else ${b} + ${bigint(rule.amount)} end`;
    case "set":
      return bigint(rule.balance);
  }
}

function personalAccountsOf(db: Db | Trx, userIds: UserIdQuery, subName: string) {
  return db
    .selectFrom("accounts")
    .select("id")
    .where("account_type", "=", "personal")
    .where("sub_name", "=", subName)
    .where("deleted_at", "is", null)
    .where("user_id", "in", userIds);
}

/**
 * Creates the named personal account for each selected live user that lacks it, in one statement. The new
 * account takes the credit rules (restriction, overdraft) of the user's default account.
 */
export async function insertMissingPersonalAccounts(trx: Trx, userIds: UserIdQuery, subName: string, now: number): Promise<void> {
  await trx
    .insertInto("accounts")
    .columns(["account_type", "user_id", "sub_name", "name", "restricted", "overdraft_mode", "overdraft_amount", "created_at"])
    .expression(
      trx
        .selectFrom("accounts as main")
        .select([
          sql<string>`cast('personal' as text)`.as("account_type"),
          "main.user_id",
          sql<string>`cast(${subName} as text)`.as("sub_name"),
          sql<string>`cast('' as text)`.as("name"),
          "main.restricted",
          "main.overdraft_mode",
          "main.overdraft_amount",
          bigint(now).as("created_at"),
        ])
        .where("main.account_type", "=", "personal")
        .where("main.sub_name", "=", "")
        .where("main.deleted_at", "is", null)
        .where("main.user_id", "in", userIds)
        .where((eb) =>
          eb.not(
            eb.exists(
              eb
                .selectFrom("accounts")
                .select("accounts.id")
                .whereRef("accounts.user_id", "=", "main.user_id")
                .where("accounts.account_type", "=", "personal")
                .where("accounts.sub_name", "=", subName)
                .where("accounts.deleted_at", "is", null),
            ),
          ),
        ),
    )
    .execute();
}

const LEDGER_COLUMNS = ["account_id", "amount", "balance_after", "kind", "comment", "created_by", "created_at", "job_id"] as const;

function ledgerConstants(entry: LedgerEntry, now: number) {
  return [
    sql<string>`cast(${entry.kind} as text)`.as("kind"),
    sql<string>`cast(${entry.comment} as text)`.as("comment"),
    sql<string>`cast(${entry.createdBy} as text)`.as("created_by"),
    bigint(now).as("created_at"),
    sql<number | null>`cast(null as bigint)`.as("job_id"),
  ] as const;
}

/**
 * Applies `rule` to the personal accounts (sub-account `subName`) of the selected users, set-based: a
 * ledger row for every account whose balance changes (amount = new - old, balance_after = new) and the new
 * balances. On PostgreSQL that is one statement (an UPDATE that locks and reads the old balances, feeding
 * the ledger INSERT); on SQLite, whose writers are serialised, an INSERT … SELECT then an UPDATE computed
 * from the same balances. Returns the number of accounts changed.
 */
export async function changePersonalBalances(trx: Trx, userIds: UserIdQuery, subName: string, rule: BulkBalanceRule, entry: LedgerEntry, now: number): Promise<number> {
  const target = personalAccountsOf(trx, userIds, subName);
  if (trx.getExecutor().adapter instanceof PostgresAdapter) {
    const old = sql<number>`${sql.ref("old.balance")}`;
    const next = newBalance(rule, old);
    const result = await trx
      .with("changed", (db) =>
        db
          .updateTable("accounts")
          .from(db.selectFrom("accounts").select(["id", "balance"]).where("id", "in", target).forUpdate().as("old"))
          .set({ balance: next })
          .whereRef("accounts.id", "=", "old.id")
          .where(sql<boolean>`${next} <> ${old}`)
          .returning(["accounts.id as account_id", "accounts.balance as balance_after", "old.balance as balance_before"]),
      )
      .insertInto("ledger")
      .columns(LEDGER_COLUMNS)
      .expression((eb) =>
        eb
          .selectFrom("changed")
          .select(["changed.account_id", sql<number>`changed.balance_after - changed.balance_before`.as("amount"), "changed.balance_after", ...ledgerConstants(entry, now)]),
      )
      .executeTakeFirst();
    return Number(result.numInsertedOrUpdatedRows ?? 0n);
  }
  const next = newBalance(rule);
  const inserted = await trx
    .insertInto("ledger")
    .columns(LEDGER_COLUMNS)
    .expression(
      trx
        .selectFrom("accounts")
        .select(["id as account_id", sql<number>`${next} - balance`.as("amount"), next.as("balance_after"), ...ledgerConstants(entry, now)])
        .where("id", "in", target)
        .where(sql<boolean>`${next} <> balance`),
    )
    .executeTakeFirst();
  await trx
    .updateTable("accounts")
    .set({ balance: next })
    .where("id", "in", target)
    .where(sql<boolean>`${next} <> balance`)
    .execute();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n);
}

/** Counts one job of `pages` pages against an account (shared accounts show these as their job and page counts). */
export async function addAccountUsage(trx: Trx, accountId: number, pages: number): Promise<void> {
  await accountUsage.run(trx, accountId, pages);
}

export interface LedgerFilter {
  accountId?: number;
  /** Transactions of the user's personal accounts. */
  userId?: number;
  jobId?: number;
  /** Created at or after (epoch ms). */
  from?: number;
  /** Created before (epoch ms). */
  to?: number;
  offset?: number;
  limit?: number;
}

export async function selectLedger(db: Db | Trx, filter: LedgerFilter) {
  let query = db.selectFrom("ledger").selectAll("ledger");
  if (filter.accountId !== undefined) query = query.where("ledger.account_id", "=", filter.accountId);
  if (filter.userId !== undefined) {
    const userId = filter.userId;
    query = query.where("ledger.account_id", "in", db.selectFrom("accounts").select("id").where("user_id", "=", userId).where("account_type", "=", "personal"));
  }
  if (filter.jobId !== undefined) query = query.where("ledger.job_id", "=", filter.jobId);
  if (filter.from !== undefined) query = query.where("ledger.created_at", ">=", filter.from);
  if (filter.to !== undefined) query = query.where("ledger.created_at", "<", filter.to);
  return query
    .orderBy("ledger.id")
    .limit(filter.limit ?? 1000)
    .offset(filter.offset ?? 0)
    .execute();
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

/** A user's live personal accounts, the default one ("") first. */
export async function selectPersonalAccounts(db: Db | Trx, userId: number): Promise<AccountRow[]> {
  return db
    .selectFrom("accounts")
    .selectAll()
    .where("account_type", "=", "personal")
    .where("user_id", "=", userId)
    .where("deleted_at", "is", null)
    .orderBy("sub_name")
    .execute();
}

/** Inserts default personal accounts (with their starting balances) in one statement; returns account ids by user id. */
export async function insertPersonalAccounts(
  trx: Trx,
  rows: ReadonlyArray<{ user_id: number; balance: Micros; created_at: number } & CreditRules>,
): Promise<Map<number, number>> {
  const ids = new Map<number, number>();
  if (rows.length === 0) return ids;
  const values = rows.map((r) => ({ account_type: "personal" as const, sub_name: "", name: "", ...r }));
  const inserted = await trx.insertInto("accounts").values(values).returning(["id", "user_id"]).execute();
  for (const r of inserted) ids.set(r.user_id!, r.id);
  return ids;
}

/** Inserts ledger rows in one statement. */
export async function insertLedgerRows(
  trx: Trx,
  rows: ReadonlyArray<{ accountId: number; amount: Micros; balanceAfter: Micros; entry: LedgerEntry }>,
  now: number,
): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto("ledger")
    .values(
      rows.map((r) => ({
        account_id: r.accountId,
        amount: r.amount,
        balance_after: r.balanceAfter,
        kind: r.entry.kind,
        comment: r.entry.comment,
        created_by: r.entry.createdBy,
        created_at: now,
        job_id: r.entry.jobId ?? null,
      })),
    )
    .execute();
}

/**
 * Reads the balances of a batch of accounts in one statement, locking the rows for the rest of the
 * transaction on PostgreSQL (SELECT … FOR UPDATE); SQLite already serialises writers.
 */
export async function lockAccountBalances(trx: Trx, accountIds: readonly number[]): Promise<Map<number, Micros>> {
  const out = new Map<number, Micros>();
  if (accountIds.length === 0) return out;
  let query = trx.selectFrom("accounts").select(["id", "balance"]).where("id", "in", accountIds);
  if (trx.getExecutor().adapter instanceof PostgresAdapter) query = query.forUpdate();
  for (const r of await query.execute()) out.set(r.id, r.balance);
  return out;
}

/** Sets the same balance on every account of `accountIds` in one statement (the ledger rows are the caller's). */
export async function updateBalances(trx: Trx, accountIds: readonly number[], balance: Micros): Promise<void> {
  if (accountIds.length === 0) return;
  await trx.updateTable("accounts").set({ balance }).where("id", "in", accountIds).execute();
}

/** The live default personal accounts ("" sub-account) of many users, in one statement. */
export async function selectDefaultPersonalAccounts(db: Db | Trx, userIds: readonly number[]): Promise<AccountRow[]> {
  if (userIds.length === 0) return [];
  return db
    .selectFrom("accounts")
    .selectAll()
    .where("account_type", "=", PERSONAL)
    .where("sub_name", "=", "")
    .where("deleted_at", "is", null)
    .where("user_id", "in", userIds)
    .execute();
}

/** Applies the same credit rules to every live personal account of many users, in one statement. */
export async function updatePersonalAccountsOfUsers(trx: Trx, userIds: readonly number[], rules: CreditRules): Promise<void> {
  if (userIds.length === 0 || Object.keys(rules).length === 0) return;
  await trx.updateTable("accounts").set(rules).where("account_type", "=", "personal").where("user_id", "in", userIds).where("deleted_at", "is", null).execute();
}
