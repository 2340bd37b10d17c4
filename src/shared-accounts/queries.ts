// Shared account rows (account_type 'shared' in the accounts table; balances change only through the
// accounts feature) and their access lists. Deleted accounts keep their row and history, with deleted_at set.
import { sql } from "kysely";
import type { Db, Trx } from "../db/database.js";
import type { AccountRow, SharedAccountChange } from "./properties.js";

const live = (db: Db | Trx) => db.selectFrom("accounts").where("accounts.account_type", "=", "shared").where("accounts.deleted_at", "is", null);

export async function insertSharedAccount(trx: Trx, fullName: string, parentId: number | null, now: number): Promise<number> {
  const row = await trx
    .insertInto("accounts")
    .values({ account_type: "shared", name: fullName, parent_id: parentId, created_at: now })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function selectChildIds(db: Db | Trx, parentId: number): Promise<number[]> {
  const rows = await live(db).select("accounts.id").where("accounts.parent_id", "=", parentId).execute();
  return rows.map((r) => r.id);
}

export async function updateSharedAccount(trx: Trx, accountId: number, patch: SharedAccountChange["account"] & Partial<Pick<AccountRow, "overdraft_mode">>): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await trx.updateTable("accounts").set(patch).where("id", "=", accountId).execute();
}

export async function renameSharedAccountRow(trx: Trx, accountId: number, fullName: string, parentId: number | null): Promise<void> {
  await trx.updateTable("accounts").set({ name: fullName, parent_id: parentId }).where("id", "=", accountId).execute();
}

/** Rewrites the `Parent\` prefix of every live sub-account of a renamed parent. */
export async function renameChildrenPrefix(trx: Trx, parentId: number, oldParentName: string, newParentName: string): Promise<void> {
  await trx
    .updateTable("accounts")
    .set({ name: sql<string>`cast(${newParentName} as text) || substr(name, ${oldParentName.length + 1})` })
    .where("account_type", "=", "shared")
    .where("deleted_at", "is", null)
    .where("parent_id", "=", parentId)
    .execute();
}

export async function markSharedAccountsDeleted(trx: Trx, accountIds: readonly number[], now: number): Promise<void> {
  if (accountIds.length === 0) return;
  await trx.updateTable("accounts").set({ deleted_at: now }).where("id", "in", accountIds).execute();
}

export async function selectAccountIdByPin(db: Db | Trx, pin: string, exceptId: number): Promise<number | undefined> {
  const row = await live(db).select("accounts.id").where("accounts.pin", "=", pin).where("accounts.id", "<>", exceptId).executeTakeFirst();
  return row?.id;
}

/**
 * Live shared accounts in listing order: each top-level account followed directly by its sub-accounts
 * (`Parent\Child`), parents by name and children by name within their parent.
 */
function listing(db: Db | Trx) {
  return db
    .selectFrom("accounts")
    .leftJoin("accounts as parent", "parent.id", "accounts.parent_id")
    .select("accounts.name")
    .where("accounts.account_type", "=", "shared")
    .where("accounts.deleted_at", "is", null)
    .orderBy((eb) => eb.fn.coalesce("parent.name", "accounts.name"))
    .orderBy((eb) => eb.case().when("accounts.parent_id", "is", null).then(0).else(1).end())
    .orderBy("accounts.name");
}

export async function selectSharedAccountNames(db: Db | Trx, offset: number, limit: number): Promise<string[]> {
  const rows = await listing(db).limit(limit).offset(offset).execute();
  return rows.map((r) => r.name);
}

/**
 * The live, enabled shared accounts a user may charge without a PIN: granted to the user or to one of
 * `groupIds`, directly or through the parent account; in listing order.
 */
export async function selectAccessibleAccountNames(db: Db | Trx, userId: number, groupIds: readonly number[], now: number, offset: number, limit: number): Promise<string[]> {
  const rows = await listing(db)
    .where((eb) => {
      const granted = eb
        .selectFrom("shared_account_access_users")
        .select("shared_account_access_users.account_id")
        .where("shared_account_access_users.user_id", "=", userId)
        .union(
          eb
            .selectFrom("shared_account_access_groups")
            .select("shared_account_access_groups.account_id")
            .where("shared_account_access_groups.group_id", "in", groupIds.length > 0 ? groupIds : [-1]),
        );
      return eb.or([eb("accounts.id", "in", granted), eb("accounts.parent_id", "in", granted)]);
    })
    .where((eb) => eb.or([eb("accounts.disabled", "=", 0), eb.and([eb("accounts.disabled_until", "is not", null), eb("accounts.disabled_until", "<=", now)])]))
    .limit(limit)
    .offset(offset)
    .execute();
  return rows.map((r) => r.name);
}

export async function selectAccessUsernames(db: Db | Trx, accountId: number): Promise<string[]> {
  const rows = await db
    .selectFrom("shared_account_access_users")
    .innerJoin("users", "users.id", "shared_account_access_users.user_id")
    .select("users.username")
    .where("shared_account_access_users.account_id", "=", accountId)
    .where("users.deleted_at", "is", null)
    .orderBy("users.username")
    .execute();
  return rows.map((r) => r.username);
}

export async function selectAccessGroupNames(db: Db | Trx, accountId: number): Promise<string[]> {
  const rows = await db
    .selectFrom("shared_account_access_groups")
    .innerJoin("groups", "groups.id", "shared_account_access_groups.group_id")
    .select("groups.name")
    .where("shared_account_access_groups.account_id", "=", accountId)
    .orderBy("groups.name")
    .execute();
  return rows.map((r) => r.name);
}

export async function insertAccessUser(trx: Trx, accountId: number, userId: number): Promise<void> {
  await trx
    .insertInto("shared_account_access_users")
    .values({ account_id: accountId, user_id: userId })
    .onConflict((oc) => oc.columns(["account_id", "user_id"]).doNothing())
    .execute();
}

export async function deleteAccessUser(trx: Trx, accountId: number, userId: number): Promise<void> {
  await trx.deleteFrom("shared_account_access_users").where("account_id", "=", accountId).where("user_id", "=", userId).execute();
}

export async function insertAccessGroup(trx: Trx, accountId: number, groupId: number): Promise<void> {
  await trx
    .insertInto("shared_account_access_groups")
    .values({ account_id: accountId, group_id: groupId })
    .onConflict((oc) => oc.columns(["account_id", "group_id"]).doNothing())
    .execute();
}

export async function deleteAccessGroup(trx: Trx, accountId: number, groupId: number): Promise<void> {
  await trx.deleteFrom("shared_account_access_groups").where("account_id", "=", accountId).where("group_id", "=", groupId).execute();
}

export async function deleteAllAccessUsers(trx: Trx, accountId: number): Promise<void> {
  await trx.deleteFrom("shared_account_access_users").where("account_id", "=", accountId).execute();
}

export async function deleteAllAccessGroups(trx: Trx, accountId: number): Promise<void> {
  await trx.deleteFrom("shared_account_access_groups").where("account_id", "=", accountId).execute();
}

/** Empties the user access lists of many accounts in one statement. */
export async function deleteAccessUsersOf(trx: Trx, accountIds: readonly number[]): Promise<void> {
  if (accountIds.length === 0) return;
  await trx.deleteFrom("shared_account_access_users").where("account_id", "in", accountIds).execute();
}

/** Empties the group access lists of many accounts in one statement. */
export async function deleteAccessGroupsOf(trx: Trx, accountIds: readonly number[]): Promise<void> {
  if (accountIds.length === 0) return;
  await trx.deleteFrom("shared_account_access_groups").where("account_id", "in", accountIds).execute();
}

/** Grants many (account, user) pairs in one statement; pairs already granted are left alone. */
export async function insertAccessUsers(trx: Trx, rows: ReadonlyArray<{ account_id: number; user_id: number }>): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto("shared_account_access_users")
    .values([...rows])
    .onConflict((oc) => oc.columns(["account_id", "user_id"]).doNothing())
    .execute();
}

/** Grants many (account, group) pairs in one statement; pairs already granted are left alone. */
export async function insertAccessGroups(trx: Trx, rows: ReadonlyArray<{ account_id: number; group_id: number }>): Promise<void> {
  if (rows.length === 0) return;
  await trx
    .insertInto("shared_account_access_groups")
    .values([...rows])
    .onConflict((oc) => oc.columns(["account_id", "group_id"]).doNothing())
    .execute();
}
