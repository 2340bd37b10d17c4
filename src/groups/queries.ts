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
