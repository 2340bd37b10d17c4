// User rows. Deleted users keep their row (history points at it) with deleted_at set; every lookup
// here sees only live users.
import { sql, type Compilable, type ExpressionBuilder } from "kysely";
import type { Db, Trx } from "../db/database.js";
import type { DB } from "../db/schema.js";
import { precompiled, type Precompiled } from "../db/precompiled.js";
import type { AccountRow, UserRow } from "./properties.js";

// The hottest lookups are compiled once (see db/precompiled.ts).
const userByName = precompiled((db, username: string) => db.selectFrom("users").selectAll().where("username", "=", username).where("deleted_at", "is", null));
const userIdByName = precompiled((db, username: string) => db.selectFrom("users").select("id").where("username", "=", username).where("deleted_at", "is", null));
const personalAccountByUsername = precompiled((db, username: string, subName: string) =>
  db
    .selectFrom("accounts")
    .innerJoin("users", "users.id", "accounts.user_id")
    .selectAll("accounts")
    .where("users.username", "=", username)
    .where("users.deleted_at", "is", null)
    .where("accounts.account_type", "=", sql.lit("personal" as const))
    .where("accounts.sub_name", "=", subName)
    .where("accounts.deleted_at", "is", null),
);
/** What charging a job needs of its user, and the id of the default personal account (null if it has none). */
const jobUserByName = precompiled((db, username: string) =>
  db
    .selectFrom("users")
    .leftJoin("accounts", (join) =>
      join
        .onRef("accounts.user_id", "=", "users.id")
        .on("accounts.account_type", "=", sql.lit("personal" as const))
        .on("accounts.sub_name", "=", sql.lit(""))
        .on("accounts.deleted_at", "is", null),
    )
    .select([
      "users.id",
      "users.username",
      "users.account_selection_mode",
      "users.auto_shared_account",
      "users.charge_personal_when_shared",
      "users.cost_adjustment_percent",
      "users.disabled_print",
      "users.disabled_print_until",
      "accounts.id as account_id",
    ])
    .where("users.username", "=", username)
    .where("users.deleted_at", "is", null),
);
/** The columns of an account row, read beside a user's row under the `account_` prefix. */
const ACCOUNT_COLUMNS = [
  "id", "account_type", "user_id", "sub_name", "name", "parent_id", "balance", "restricted", "overdraft_mode", "overdraft_amount",
  "disabled", "disabled_until", "pin", "notes", "comment_option", "invoice_option", "created_at", "deleted_at",
] as const satisfies ReadonlyArray<keyof AccountRow>;

/** Columns to read of a user and of their default personal account; `user: "all"` reads the whole row. */
export interface UserColumns {
  user: readonly (keyof UserRow)[] | "all";
  account: readonly (keyof AccountRow)[];
}

const ALL_COLUMNS: UserColumns = { user: "all", account: ACCOUNT_COLUMNS };

interface ColumnRead {
  query: Precompiled<[string], Record<string, unknown>>;
  account: readonly string[];
  prefixed: readonly string[];
}

function columnRead(columns: UserColumns): ColumnRead {
  // The account id is always read: it tells a user without a personal account.
  const account = [...new Set<string>(["id", ...columns.account])];
  const prefixed = account.map((c) => `account_${c}`);
  const query = precompiled((db, username: string) => {
    const base = db
      .selectFrom("users")
      .leftJoin("accounts", (join) =>
        join.onRef("accounts.user_id", "=", "users.id").on("accounts.account_type", "=", sql.lit("personal")).on("accounts.sub_name", "=", sql.lit("")).on("accounts.deleted_at", "is", null),
      );
    const withUser = columns.user === "all" ? base.selectAll("users") : base.select(columns.user.map((c) => sql.ref(`users.${c}`).as(c)));
    return withUser
      .select(account.map((c, i) => sql.ref(`accounts.${c}`).as(prefixed[i])))
      .where("users.username", "=", username)
      .where("users.deleted_at", "is", null) as unknown as Compilable<Record<string, unknown>>;
  });
  return { query, account, prefixed };
}

const allColumnsRead = columnRead(ALL_COLUMNS);
/**
 * Narrow reads by column set, by identity (callers pass the same object for the same columns: see
 * columnsForProperties), bounded; a set seen first when the bound is reached reads whole rows.
 */
const columnReads = new Map<UserColumns, ColumnRead>();
const MAX_COLUMN_READS = 256;
const userPrintUsage = precompiled((db, userId: number, pages: number) =>
  db
    .updateTable("users")
    .set((eb) => ({ job_count: eb("job_count", "+", 1), page_count: eb("page_count", "+", pages) }))
    .where("id", "=", userId),
);
const usernamesPage = precompiled((db, limit: number, offset: number) =>
  db.selectFrom("users").select("username").where("deleted_at", "is", null).orderBy("username").limit(limit).offset(offset),
);

export async function selectUserByName(db: Db | Trx, username: string): Promise<UserRow | undefined> {
  return userByName.takeFirst(db, username);
}

/**
 * A live user and their default personal account (undefined if they have none) in one statement, for
 * reads: the whole rows, or only the given columns. The user object also carries the account's columns
 * under the `account_` prefix, and with a column list it holds only those columns: it is for reading the
 * listed columns, never for writing back.
 */
export async function selectUserWithPersonalAccount(
  db: Db | Trx,
  username: string,
  columns: UserColumns = ALL_COLUMNS,
): Promise<{ user: UserRow; account: AccountRow | undefined } | undefined> {
  let read = allColumnsRead;
  if (columns !== ALL_COLUMNS) {
    const cached = columnReads.get(columns);
    if (cached) read = cached;
    else if (columnReads.size < MAX_COLUMN_READS) {
      read = columnRead(columns);
      columnReads.set(columns, read);
    }
  }
  const row = await read.query.takeFirst(db, username);
  if (!row) return undefined;
  let account: AccountRow | undefined;
  if (row.account_id !== null && row.account_id !== undefined) {
    const built: Record<string, unknown> = {};
    const { account: names, prefixed } = read;
    for (let i = 0; i < names.length; i++) built[names[i]] = row[prefixed[i]];
    account = built as unknown as AccountRow;
  }
  return { user: row as unknown as UserRow, account };
}

/** A live user's live personal account, found by username in one statement (the balance-change path). */
export async function selectPersonalAccountByUsername(db: Db | Trx, username: string, subName: string): Promise<AccountRow | undefined> {
  return personalAccountByUsername.takeFirst(db, username, subName);
}

export type JobUser = NonNullable<Awaited<ReturnType<typeof selectJobUser>>>;

/** A live user's job-relevant columns and default personal account id, in one statement (the job path). */
export async function selectJobUser(db: Db | Trx, username: string) {
  return jobUserByName.takeFirst(db, username);
}

export async function userExists(db: Db | Trx, username: string): Promise<boolean> {
  return (await userIdByName.takeFirst(db, username)) !== undefined;
}

export async function insertUser(trx: Trx, values: { username: string; created_at: number; source: string } & Partial<UserRow>): Promise<number> {
  const row = await trx.insertInto("users").values(values).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

export async function updateUser(trx: Trx, userId: number, patch: Partial<UserRow>): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await trx.updateTable("users").set(patch).where("id", "=", userId).execute();
}

export async function selectUserIdByCard(db: Db | Trx, card: string, exceptUserId?: number): Promise<number | undefined> {
  // One query per column, so each uses its unique index (an OR across both would scan the table).
  for (const column of ["primary_card", "secondary_card"] as const) {
    let q = db.selectFrom("users").select("id").where("deleted_at", "is", null).where(column, "=", card);
    if (exceptUserId !== undefined) q = q.where("id", "<>", exceptUserId);
    const row = await q.executeTakeFirst();
    if (row) return row.id;
  }
  return undefined;
}

export async function selectUsernameByCard(db: Db | Trx, card: string): Promise<string | undefined> {
  const primary = await db.selectFrom("users").select("username").where("deleted_at", "is", null).where("primary_card", "=", card).executeTakeFirst();
  if (primary) return primary.username;
  const secondary = await db.selectFrom("users").select("username").where("deleted_at", "is", null).where("secondary_card", "=", card).executeTakeFirst();
  return secondary?.username;
}

export async function selectUsernameByEmail(db: Db | Trx, email: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("users")
    .select("username")
    .where("deleted_at", "is", null)
    .where((eb) => eb(eb.fn("lower", ["email"]), "=", email.toLowerCase()))
    .orderBy("username")
    .executeTakeFirst();
  return row?.username;
}

export async function selectUsernameByAlias(db: Db | Trx, alias: string): Promise<string | undefined> {
  const row = await db.selectFrom("users").select("username").where("deleted_at", "is", null).where("username_alias", "=", alias).orderBy("username").executeTakeFirst();
  return row?.username;
}

export async function selectUsernamesByFullName(db: Db | Trx, fullName: string): Promise<string[]> {
  const rows = await db.selectFrom("users").select("username").where("deleted_at", "is", null).where("full_name", "=", fullName).orderBy("username").execute();
  return rows.map((r) => r.username);
}

const usersListVersion = precompiled((db) => db.selectFrom("list_versions").select("version").where("name", "=", "users"));

/** The version of the set of live usernames (SQLite only; see migration 0007). */
export async function selectUsersListVersion(db: Db | Trx): Promise<number | undefined> {
  return (await usersListVersion.takeFirst(db))?.version;
}

export async function selectUsernames(db: Db | Trx, offset: number, limit: number): Promise<string[]> {
  return usernamesPage.column(db, limit, offset);
}

export async function countUsers(db: Db | Trx): Promise<number> {
  // All rows minus the deleted ones: SQLite counts a whole table almost for free and the deleted rows
  // from the users_deleted index, where "deleted_at is null" would walk one index entry per live user.
  const row = await db
    .selectFrom("users")
    .select((eb) => [eb.fn.countAll<number>().as("n"), eb.selectFrom("users").select((e) => e.fn.countAll<number>().as("d")).where("deleted_at", "is not", null).as("deleted")])
    .executeTakeFirstOrThrow();
  return Number(row.n) - Number(row.deleted ?? 0);
}

/** Marks the user and their personal accounts deleted; the rows stay for history. */
export async function markUserDeleted(trx: Trx, userId: number, now: number): Promise<void> {
  await trx.updateTable("users").set({ deleted_at: now }).where("id", "=", userId).execute();
  await trx.updateTable("accounts").set({ deleted_at: now }).where("user_id", "=", userId).where("account_type", "=", "personal").execute();
}

/** Removes identifying data from a deleted user's row and ledger comments, keeping amounts and totals. */
export async function redactUser(trx: Trx, userId: number): Promise<void> {
  await trx
    .updateTable("users")
    .set({
      username: `[redacted-${userId}]`,
      full_name: "",
      email: "",
      department: "",
      office: "",
      notes: "",
      home: "",
      primary_card: null,
      secondary_card: null,
      card_pin_hash: null,
      password_hash: null,
      username_alias: null,
      other_emails: "",
      delegated_users: "",
      delegated_groups: "",
    })
    .where("id", "=", userId)
    .execute();
  const accountIds = trx.selectFrom("accounts").select("id").where("user_id", "=", userId);
  await trx.updateTable("ledger").set({ comment: "[redacted]", created_by: "[redacted]" }).where("account_id", "in", accountIds).execute();
}

export async function addUserPrintUsage(trx: Trx, userId: number, pages: number): Promise<void> {
  await userPrintUsage.run(trx, userId, pages);
}

/** Live usernames that came from one source (e.g. "directory"), sorted. */
export async function selectUsernamesBySource(db: Db | Trx, source: string): Promise<string[]> {
  const rows = await db.selectFrom("users").select("username").where("deleted_at", "is", null).where("source", "=", source).orderBy("username").execute();
  return rows.map((r) => r.username);
}

export interface UserListRow {
  username: string;
  full_name: string;
  email: string;
  department: string;
  balance: number;
  restricted: number;
}

/** Escapes LIKE wildcards so a search for "a_b" matches the text literally. */
function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** A column of the user's default personal account, as a correlated subquery of a users query. */
function defaultAccountColumn(eb: ExpressionBuilder<DB, "users">, column: "balance" | "restricted") {
  return eb
    .selectFrom("accounts")
    .select(`accounts.${column}`)
    .whereRef("accounts.user_id", "=", "users.id")
    .where("accounts.account_type", "=", "personal")
    .where("accounts.sub_name", "=", "")
    .where("accounts.deleted_at", "is", null);
}

/**
 * A page of live users in username order with their default personal account's balance. `search`
 * matches the start of the username, full name or email, ignoring case; a search starting with "*"
 * matches anywhere in them instead (which reads every user, so it is slower on large sites).
 */
export async function selectUserList(db: Db | Trx, dialect: "sqlite" | "postgres", search: string, offset: number, limit: number): Promise<UserListRow[]> {
  // The balance comes from a correlated subquery rather than a join, so both databases walk the
  // username index in order and stop after one page instead of sorting every user.
  let q = db
    .selectFrom("users")
    .select((eb) => [
      "users.username",
      "users.full_name",
      "users.email",
      "users.department",
      defaultAccountColumn(eb, "balance").as("balance"),
      defaultAccountColumn(eb, "restricted").as("restricted"),
    ]);
  const anywhere = search.startsWith("*");
  const text = anywhere ? search.slice(1).trim() : search;
  const columns = ["users.username", "users.full_name", "users.email"] as const;
  // Every branch keeps to live users; the indexed prefix search states it inside each alternative.
  if (text === "") {
    q = q.where("users.deleted_at", "is", null);
  } else if (anywhere) {
    // SQLite's LIKE already ignores ASCII case; PostgreSQL needs ILIKE. Both skip a lower() call per row.
    const pattern = `%${escapeLike(text)}%`;
    const like = dialect === "postgres" ? sql`ilike` : sql`like`;
    q = q.where("users.deleted_at", "is", null).where((eb) => eb.or(columns.map((col) => sql<boolean>`${sql.ref(col)} ${like} ${pattern} escape '\\'`)));
  } else if (dialect === "sqlite") {
    // A range on lower(column) per column, each with the live-user condition inside, lets SQLite answer
    // from the three lower() indexes at once (a multi-index OR). SQLite's lower() folds ASCII only.
    const low = text.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const high = `${low}\uffff`;
    q = q.where((eb) =>
      eb.or(columns.map((col) => sql<boolean>`(lower(${sql.ref(col)}) >= ${low} and lower(${sql.ref(col)}) < ${high} and users.deleted_at is null)`)),
    );
  } else {
    const pattern = `${escapeLike(text.toLowerCase())}%`;
    q = q.where("users.deleted_at", "is", null).where((eb) => eb.or(columns.map((col) => sql<boolean>`lower(${sql.ref(col)}) like ${pattern} escape '\\'`)));
  }
  const rows = await q.orderBy("users.username").limit(limit).offset(offset).execute();
  return rows.map((r) => ({ ...r, balance: Number(r.balance ?? 0), restricted: Number(r.restricted ?? 0) }));
}

// --- set-based paths of the batch imports ---------------------------------------------------------

/** The live users among `usernames` (one statement; callers keep the list to a batch). */
export async function selectUsersByNames(db: Db | Trx, usernames: readonly string[]): Promise<UserRow[]> {
  if (usernames.length === 0) return [];
  return db.selectFrom("users").selectAll().where("deleted_at", "is", null).where("username", "in", usernames).execute();
}

/** Whether any live user holds one of `cards` as primary or secondary card number. */
export async function anyUserHasCard(db: Db | Trx, cards: readonly string[]): Promise<boolean> {
  if (cards.length === 0) return false;
  for (const column of ["primary_card", "secondary_card"] as const) {
    const row = await db.selectFrom("users").select("id").where("deleted_at", "is", null).where(column, "in", cards).limit(1).executeTakeFirst();
    if (row) return true;
  }
  return false;
}

/** Inserts user rows that all set the same columns, in one statement; returns their ids by username. */
export async function insertUsers(trx: Trx, rows: ReadonlyArray<{ username: string; created_at: number; source: string } & Partial<UserRow>>): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  if (rows.length === 0) return ids;
  const inserted = await trx.insertInto("users").values(rows as Array<(typeof rows)[number]>).returning(["id", "username"]).execute();
  for (const r of inserted) ids.set(r.username, r.id);
  return ids;
}

export async function updateUsers(trx: Trx, userIds: readonly number[], patch: Partial<UserRow>): Promise<void> {
  if (userIds.length === 0 || Object.keys(patch).length === 0) return;
  await trx.updateTable("users").set(patch).where("id", "in", userIds).execute();
}

/** The live users holding any of `cards` as primary or secondary card number, as (card, user id) pairs. */
export async function selectCardHolders(db: Db | Trx, cards: readonly string[]): Promise<Array<{ card: string; id: number }>> {
  const out: Array<{ card: string; id: number }> = [];
  if (cards.length === 0) return out;
  // One query per column, so each uses its unique index.
  for (const r of await db.selectFrom("users").select(["id", "primary_card"]).where("deleted_at", "is", null).where("primary_card", "in", cards).execute()) out.push({ card: r.primary_card!, id: r.id });
  for (const r of await db.selectFrom("users").select(["id", "secondary_card"]).where("deleted_at", "is", null).where("secondary_card", "in", cards).execute()) out.push({ card: r.secondary_card!, id: r.id });
  return out;
}
