// Groups of users: existence and membership, used by quotas, printer access, shared-account access
// and admin rights.
import type { Database, Db, Trx } from "../db/database.js";
import { deleteMembers, insertGroup, insertMembers, selectAllGroupNames, selectGroupId, selectGroupNamesOfUser, selectMemberIds } from "./queries.js";

export class GroupsService {
  constructor(private readonly db: Database) {}

  async isGroupExists(name: string, db: Db | Trx = this.db.kysely): Promise<boolean> {
    return (await selectGroupId(db, name)) !== undefined;
  }

  /** The names of the groups a user belongs to, sorted. */
  async groupNamesOfUser(userId: number, db: Db | Trx = this.db.kysely): Promise<string[]> {
    return selectGroupNamesOfUser(db, userId);
  }

  async listGroupNames(db: Db | Trx = this.db.kysely): Promise<string[]> {
    return selectAllGroupNames(db);
  }

  /** The group's id, creating the group when missing (directory sync). */
  async ensureGroup(trx: Trx, name: string, now: number): Promise<number> {
    return (await selectGroupId(trx, name)) ?? insertGroup(trx, name, now);
  }

  /** Makes the group's members exactly `userIds` (directory sync); returns how many were added and removed. */
  async replaceMembers(trx: Trx, groupId: number, userIds: readonly number[]): Promise<{ added: number; removed: number }> {
    const current = new Set(await selectMemberIds(trx, groupId));
    const wanted = new Set(userIds);
    const add = [...wanted].filter((id) => !current.has(id));
    const remove = [...current].filter((id) => !wanted.has(id));
    for (let i = 0; i < add.length; i += 500) await insertMembers(trx, groupId, add.slice(i, i + 500));
    for (let i = 0; i < remove.length; i += 500) await deleteMembers(trx, groupId, remove.slice(i, i + 500));
    return { added: add.length, removed: remove.length };
  }

  /** Adds one member if not yet in the group. */
  async addMember(trx: Trx, groupId: number, userId: number): Promise<void> {
    const current = await selectMemberIds(trx, groupId);
    if (!current.includes(userId)) await insertMembers(trx, groupId, [userId]);
  }
}
