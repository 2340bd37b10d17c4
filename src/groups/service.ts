// Groups of users: existence and membership, used by quotas, printer access, shared-account access
// and admin rights.
import type { Database, Db, Trx } from "../db/database.js";
import { selectGroupId, selectGroupNamesOfUser } from "./queries.js";

export class GroupsService {
  constructor(private readonly db: Database) {}

  async isGroupExists(name: string, db: Db | Trx = this.db.kysely): Promise<boolean> {
    return (await selectGroupId(db, name)) !== undefined;
  }

  /** The names of the groups a user belongs to, sorted. */
  async groupNamesOfUser(userId: number, db: Db | Trx = this.db.kysely): Promise<string[]> {
    return selectGroupNamesOfUser(db, userId);
  }
}
