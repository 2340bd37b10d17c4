// Group rows and memberships.
import type { Db, Trx } from "../db/database.js";

export async function selectGroupId(db: Db | Trx, name: string): Promise<number | undefined> {
  return (await db.selectFrom("groups").select("id").where("name", "=", name).executeTakeFirst())?.id;
}

export async function selectGroupNamesOfUser(db: Db | Trx, userId: number): Promise<string[]> {
  const rows = await db
    .selectFrom("group_members")
    .innerJoin("groups", "groups.id", "group_members.group_id")
    .select("groups.name")
    .where("group_members.user_id", "=", userId)
    .orderBy("groups.name")
    .execute();
  return rows.map((r) => r.name);
}

export async function selectAllGroupNames(db: Db | Trx): Promise<string[]> {
  return (await db.selectFrom("groups").select("name").orderBy("name").execute()).map((r) => r.name);
}

export async function insertGroup(trx: Trx, name: string, now: number): Promise<number> {
  const row = await trx.insertInto("groups").values({ name, created_at: now }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

export async function selectMemberIds(db: Db | Trx, groupId: number): Promise<number[]> {
  return (await db.selectFrom("group_members").select("user_id").where("group_id", "=", groupId).execute()).map((r) => r.user_id);
}

export async function insertMembers(trx: Trx, groupId: number, userIds: readonly number[]): Promise<void> {
  if (userIds.length === 0) return;
  await trx.insertInto("group_members").values(userIds.map((user_id) => ({ group_id: groupId, user_id }))).execute();
}

export async function deleteMembers(trx: Trx, groupId: number, userIds: readonly number[]): Promise<void> {
  if (userIds.length === 0) return;
  await trx.deleteFrom("group_members").where("group_id", "=", groupId).where("user_id", "in", userIds).execute();
}
