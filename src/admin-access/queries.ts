// Admin access grants: users and groups given the default admin rights.
import type { Db, Trx } from "../db/database.js";

export async function insertAdminUser(trx: Trx, userId: number, now: number): Promise<void> {
  await trx
    .insertInto("admin_access_users")
    .values({ user_id: userId, created_at: now })
    .onConflict((oc) => oc.column("user_id").doNothing())
    .execute();
}

export async function deleteAdminUser(trx: Trx, userId: number): Promise<void> {
  await trx.deleteFrom("admin_access_users").where("user_id", "=", userId).execute();
}

export async function insertAdminGroup(trx: Trx, groupId: number, now: number): Promise<void> {
  await trx
    .insertInto("admin_access_groups")
    .values({ group_id: groupId, created_at: now })
    .onConflict((oc) => oc.column("group_id").doNothing())
    .execute();
}

export async function deleteAdminGroup(trx: Trx, groupId: number): Promise<void> {
  await trx.deleteFrom("admin_access_groups").where("group_id", "=", groupId).execute();
}

/** Whether the user, or one of the given groups, holds admin access. */
export async function hasAdminGrant(db: Db | Trx, userId: number, groupIds: readonly number[]): Promise<boolean> {
  const direct = await db.selectFrom("admin_access_users").select("user_id").where("user_id", "=", userId).executeTakeFirst();
  if (direct) return true;
  if (groupIds.length === 0) return false;
  const viaGroup = await db.selectFrom("admin_access_groups").select("group_id").where("group_id", "in", groupIds).executeTakeFirst();
  return viaGroup !== undefined;
}

export async function selectAdminUsernames(db: Db | Trx): Promise<string[]> {
  const rows = await db
    .selectFrom("admin_access_users")
    .innerJoin("users", "users.id", "admin_access_users.user_id")
    .select("users.username")
    .where("users.deleted_at", "is", null)
    .orderBy("users.username")
    .execute();
  return rows.map((r) => r.username);
}

export async function selectAdminGroupNames(db: Db | Trx): Promise<string[]> {
  const rows = await db.selectFrom("admin_access_groups").innerJoin("groups", "groups.id", "admin_access_groups.group_id").select("groups.name").orderBy("groups.name").execute();
  return rows.map((r) => r.name);
}
