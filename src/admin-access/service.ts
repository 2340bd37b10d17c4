// Admin access: which users and groups hold the default admin rights. The admin web interface asks
// isAdmin; the API grants and revokes.
import type { Database } from "../db/database.js";
import type { GroupsService } from "../groups/service.js";
import type { Clock } from "../kernel/clock.js";
import type { UsersService } from "../users/service.js";
import * as q from "./queries.js";

export class AdminAccessService {
  constructor(
    private readonly db: Database,
    private readonly users: UsersService,
    private readonly groups: GroupsService,
    private readonly clock: Clock,
  ) {}

  /** Granting twice is harmless. */
  async addAdminAccessUser(username: string): Promise<void> {
    await this.db.write(async (trx) => q.insertAdminUser(trx, (await this.users.requireUser(trx, username)).id, this.clock.now()));
  }

  /** Revoking a user without access is harmless. */
  async removeAdminAccessUser(username: string): Promise<void> {
    await this.db.write(async (trx) => q.deleteAdminUser(trx, (await this.users.requireUser(trx, username)).id));
  }

  async addAdminAccessGroup(groupName: string): Promise<void> {
    await this.db.write(async (trx) => q.insertAdminGroup(trx, (await this.groups.requireGroup(groupName, trx)).id, this.clock.now()));
  }

  async removeAdminAccessGroup(groupName: string): Promise<void> {
    await this.db.write(async (trx) => q.deleteAdminGroup(trx, (await this.groups.requireGroup(groupName, trx)).id));
  }

  /** Whether a live user holds admin access, directly or through any group they are in (built-in groups included). */
  async isAdmin(username: string): Promise<boolean> {
    if (!(await this.users.isUserExists(username))) return false;
    const user = await this.users.requireUser(this.db.kysely, username);
    const groupIds = await this.groups.effectiveGroupIdsOfUser(user);
    return q.hasAdminGrant(this.db.kysely, user.id, groupIds);
  }

  async adminUsernames(): Promise<string[]> {
    return q.selectAdminUsernames(this.db.kysely);
  }

  async adminGroupNames(): Promise<string[]> {
    return q.selectAdminGroupNames(this.db.kysely);
  }
}
