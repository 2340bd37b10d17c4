// Group rows, memberships, quota settings and the durable record of quota allocations. The built-in
// groups (!!All Users!!, !!Internal Users!!) have rows but no membership rows: their members are computed.
import type { Selectable } from "kysely";
import type { Db, Trx } from "../db/database.js";
import type { GroupTable } from "../db/schema.js";
import type { UserIdQuery } from "../accounts/service.js";

export type GroupRow = Selectable<GroupTable>;

export const ALL_USERS = "!!All Users!!";
export const INTERNAL_USERS = "!!Internal Users!!";

export async function selectGroupId(db: Db | Trx, name: string): Promise<number | undefined> {
  return (await db.selectFrom("groups").select("id").where("name", "=", name).executeTakeFirst())?.id;
}

export async function selectGroup(db: Db | Trx, name: string): Promise<GroupRow | undefined> {
  return db.selectFrom("groups").selectAll().where("name", "=", name).executeTakeFirst();
}

export async function selectGroupById(db: Db | Trx, id: number): Promise<GroupRow | undefined> {
  return db.selectFrom("groups").selectAll().where("id", "=", id).executeTakeFirst();
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

/** The ids of every group a user is in, the built-in ones included. */
export async function selectEffectiveGroupIds(db: Db | Trx, user: { id: number; internal: 0 | 1 }): Promise<number[]> {
  const builtIn = user.internal ? [ALL_USERS, INTERNAL_USERS] : [ALL_USERS];
  const rows = await db
    .selectFrom("groups")
    .select("id")
    .where((eb) => eb.or([eb("name", "in", builtIn), eb("id", "in", eb.selectFrom("group_members").select("group_id").where("user_id", "=", user.id))]))
    .execute();
  return rows.map((r) => r.id);
}

export async function selectRuleGroupsOfUser(db: Db | Trx, user: { id: number; internal: 0 | 1 }): Promise<GroupRow[]> {
  const ids = await selectEffectiveGroupIds(db, user);
  if (ids.length === 0) return [];
  return db.selectFrom("groups").selectAll().where("id", "in", ids).where("initial_settings_enabled", "=", 1).orderBy("name").execute();
}

export async function selectAllGroupNames(db: Db | Trx): Promise<string[]> {
  return (await db.selectFrom("groups").select("name").orderBy("name").execute()).map((r) => r.name);
}

export async function insertGroup(trx: Trx, name: string, now: number): Promise<number> {
  const row = await trx.insertInto("groups").values({ name, created_at: now }).returning("id").executeTakeFirstOrThrow();
  return row.id;
}

/** Deletes the group; memberships, access grants and allocation records go with it (ON DELETE CASCADE). */
export async function deleteGroup(trx: Trx, groupId: number): Promise<void> {
  await trx.deleteFrom("groups").where("id", "=", groupId).execute();
}

export async function updateGroup(trx: Trx, groupId: number, patch: Partial<Omit<GroupRow, "id" | "name" | "created_at">>): Promise<void> {
  await trx.updateTable("groups").set(patch).where("id", "=", groupId).execute();
}

export async function selectGroupNames(db: Db | Trx, offset: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom("groups").select("name").orderBy("name").limit(limit).offset(offset).execute();
  return rows.map((r) => r.name);
}

/** The live members of a group as a subquery of user ids (computed for the built-in groups). */
export function memberIdsQuery(db: Db | Trx, group: Pick<GroupRow, "id" | "name">): UserIdQuery {
  if (group.name === ALL_USERS) return db.selectFrom("users").select("users.id as user_id").where("users.deleted_at", "is", null);
  if (group.name === INTERNAL_USERS) {
    return db.selectFrom("users").select("users.id as user_id").where("users.deleted_at", "is", null).where("users.internal", "=", 1);
  }
  return db.selectFrom("group_members").select("group_members.user_id").where("group_members.group_id", "=", group.id);
}

/** Usernames of the live members, sorted; limit undefined = all. */
export async function selectMemberUsernames(db: Db | Trx, group: Pick<GroupRow, "id" | "name">, offset: number, limit: number | undefined): Promise<string[]> {
  let q = db
    .selectFrom("users")
    .select("username")
    .where("deleted_at", "is", null)
    .where("id", "in", memberIdsQuery(db, group))
    .orderBy("username")
    .offset(offset);
  q = limit === undefined ? q.limit(Number.MAX_SAFE_INTEGER) : q.limit(limit);
  return (await q.execute()).map((r) => r.username);
}

export async function insertMembership(trx: Trx, groupId: number, userId: number): Promise<void> {
  await trx
    .insertInto("group_members")
    .values({ group_id: groupId, user_id: userId })
    .onConflict((oc) => oc.columns(["group_id", "user_id"]).doNothing())
    .execute();
}

export async function deleteMembership(trx: Trx, groupId: number, userId: number): Promise<void> {
  await trx.deleteFrom("group_members").where("group_id", "=", groupId).where("user_id", "=", userId).execute();
}

export async function selectGroupsWithQuota(db: Db | Trx): Promise<GroupRow[]> {
  return db.selectFrom("groups").selectAll().where("quota_period", "<>", "NONE").where("quota_amount", ">", 0).orderBy("id").execute();
}

/**
 * Claims one quota run for a group: a single conditional insert, so of any number of schedulers (restarts,
 * several nodes on one PostgreSQL) exactly one gets `true`. Runs in the allocation's transaction, so a
 * failed allocation releases the claim.
 */
export async function claimQuotaRun(trx: Trx, groupId: number, runKey: string, now: number): Promise<boolean> {
  const row = await trx
    .insertInto("quota_allocations")
    .values({ group_id: groupId, run_key: runKey, allocated_at: now })
    .onConflict((oc) => oc.columns(["group_id", "run_key"]).doNothing())
    .returning("group_id")
    .executeTakeFirst();
  return row !== undefined;
}

export async function recordQuotaRunMembers(trx: Trx, groupId: number, runKey: string, members: number): Promise<void> {
  await trx.updateTable("quota_allocations").set({ members }).where("group_id", "=", groupId).where("run_key", "=", runKey).execute();
}

export async function selectQuotaRuns(db: Db | Trx, groupId: number): Promise<Array<{ run_key: string; allocated_at: number; members: number }>> {
  return db.selectFrom("quota_allocations").select(["run_key", "allocated_at", "members"]).where("group_id", "=", groupId).orderBy("run_key").execute();
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
