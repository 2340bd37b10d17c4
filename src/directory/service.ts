// User and group sync from the configured directory. Safety first: an unreachable directory or one
// that returns no users changes nothing; users are removed only when the advanced flag asks, only
// users that came from the directory, and never more than a configured share of them in one sync.
import type { ConfigService } from "../config/service.js";
import type { Database, Trx } from "../db/database.js";
import { ALL_USERS, INTERNAL_USERS, type GroupsService } from "../groups/service.js";
import type { Clock } from "../kernel/clock.js";
import { Invalid, NotFound, Unavailable } from "../kernel/errors.js";
import type { TaskProgress, TaskRunner } from "../tasks/service.js";
import type { UserRow } from "../users/properties.js";
import type { Actor, NewUserChanges, UsersService } from "../users/service.js";
import { ImportErrors, messageOf } from "../imports/line-import.js";
import { inSavepoint } from "./queries.js";
import { configuredSource, directorySetting, isYes } from "./settings.js";
import type { DirectorySource, DirectoryUser } from "./source.js";

const BATCH = 500;
export const DIRECTORY_SOURCE = "directory";

interface SyncOptions {
  addUsers: boolean;
  updateDetails: boolean;
  deleteMissing: boolean;
  /** Sync group memberships: always, never, or only if users were added. */
  groups: "always" | "never" | "if-added";
}

export class DirectoryService {
  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
    private readonly tasks: TaskRunner,
    private readonly users: UsersService,
    private readonly groups: GroupsService,
    private readonly clock: Clock,
  ) {}

  /** A seam for tests and other callers: the source to sync from. */
  source(): DirectorySource {
    return configuredSource(this.config);
  }

  async performUserAndGroupSync(actor: Actor): Promise<void> {
    const updateDetails = isYes(directorySetting(this.config, "user-source.sync.update-user-details"));
    await this.startSync("user and group sync", { addUsers: true, updateDetails, deleteMissing: false, groups: "always" }, actor);
  }

  async performUserAndGroupSyncAdvanced(deleteMissing: boolean, updateDetails: boolean, actor: Actor): Promise<void> {
    await this.startSync("user and group sync (advanced)", { addUsers: true, updateDetails, deleteMissing, groups: "always" }, actor);
  }

  async performGroupSync(actor: Actor): Promise<void> {
    await this.startSync("group sync", { addUsers: false, updateDetails: false, deleteMissing: false, groups: "always" }, actor);
  }

  async addNewUsers(actor: Actor): Promise<void> {
    await this.startSync("add new users", { addUsers: true, updateDetails: false, deleteMissing: false, groups: "if-added" }, actor);
  }

  /** Creates one user who exists in the directory, with their group memberships; a no-op if they exist already. */
  async addNewUser(username: string, actor: Actor): Promise<void> {
    const name = username.trim().toLowerCase();
    if (name === "") throw new Invalid("The username must not be empty.");
    if (await this.users.isUserExists(name)) return;
    const source = this.source();
    const user = await source.userDetails(name);
    if (!user) throw new NotFound(`The user ${name} does not exist in the user directory (${source.description}).`);
    const groupNames = await this.groups.listStoredGroupNames();
    const memberOf: string[] = [];
    for (const g of groupNames) if ((await source.groupMemberNames(g)).includes(user.username)) memberOf.push(g);
    await this.db.write((trx) => this.createFromDirectory(trx, user, actor, memberOf));
  }

  /**
   * Re-reads one group's membership from the directory, at once (not as a background task). A group the
   * directory reports empty while it has members here is left alone, as an unreachable directory would be.
   */
  async syncGroup(groupName: string): Promise<{ added: number; removed: number }> {
    const group = await this.groups.requireGroup(groupName);
    if (group.name === ALL_USERS || group.name === INTERNAL_USERS) throw new Invalid(`${group.name} is a built-in group: its members are computed, not synced.`);
    const source = this.source();
    const members = await source.groupMemberNames(group.name);
    if (members.length === 0 && (await this.groups.usernamesInGroup(group.name)).length > 0) {
      throw new Unavailable(`The directory (${source.description}) returned no members for ${group.name}; its members here were left unchanged.`);
    }
    return this.db.write((trx) => this.replaceGroupMembers(trx, group.name, members));
  }

  private async replaceGroupMembers(trx: Trx, group: string, members: readonly string[]): Promise<{ added: number; removed: number }> {
    const ids: number[] = [];
    const names = [...new Set(members)];
    for (let i = 0; i < names.length; i += BATCH) for (const user of await this.users.findUsers(trx, names.slice(i, i + BATCH))) ids.push(user.id);
    const groupId = await this.groups.ensureGroup(trx, group, this.clock.now());
    return this.groups.replaceMembers(trx, groupId, ids);
  }

  private async startSync(name: string, options: SyncOptions, actor: Actor): Promise<void> {
    const source = this.source();
    const flags = [options.deleteMissing ? "delete missing users: yes" : "", options.addUsers ? `update details: ${options.updateDetails ? "yes" : "no"}` : ""].filter((f) => f !== "");
    await this.tasks.start(name, `${name[0].toUpperCase()}${name.slice(1)} started (source: ${source.description}${flags.length ? `, ${flags.join(", ")}` : ""}).`, (progress) =>
      this.sync(source, options, progress, actor),
    );
  }

  private async sync(source: DirectorySource, options: SyncOptions, progress: TaskProgress, actor: Actor): Promise<string> {
    const counts = { added: 0, updated: 0, deleted: 0, groups: 0, memberships: 0 };
    const errors = new ImportErrors();
    if (options.addUsers) {
      const directoryUsers = await source.allUsers();
      if (directoryUsers.length === 0) {
        return `Stopped: the directory (${source.description}) returned no users, so nothing was changed.`;
      }
      await progress.line(`The directory lists ${directoryUsers.length} users.`);
      const inDirectory = new Set(directoryUsers.map((u) => u.username));
      let toDelete: string[] = [];
      if (options.deleteMissing) {
        const known = await this.users.listUsernamesBySource(DIRECTORY_SOURCE);
        toDelete = known.filter((u) => !inDirectory.has(u));
        const maxPercent = Number(directorySetting(this.config, "user-source.sync.max-delete-percent"));
        const limit = Math.floor((known.length * (Number.isFinite(maxPercent) ? maxPercent : 10)) / 100);
        if (toDelete.length > limit) {
          return `Stopped: the sync would delete ${toDelete.length} of ${known.length} directory users, more than user-source.sync.max-delete-percent (${maxPercent}%) allows; nothing was changed.`;
        }
      }
      // New users join their groups before the groups' new-user rules (initial credit, restriction) apply.
      const groupsOf = new Map<string, string[]>();
      for (const group of await this.groupsToSync(source)) {
        for (const m of await source.groupMemberNames(group)) groupsOf.set(m, [...(groupsOf.get(m) ?? []), group]);
      }
      for (let i = 0; i < directoryUsers.length; i += BATCH) {
        const batch = directoryUsers.slice(i, i + BATCH);
        const before = { ...counts };
        try {
          await this.db.write((trx) => this.applyBatch(trx, batch, options, groupsOf, counts, actor));
        } catch {
          // Something in the batch failed: undo it and apply it again one user at a time, each in its own
          // savepoint, so a failing user changes nothing and is reported.
          Object.assign(counts, before);
          await this.db.write(async (trx) => {
            for (const [k, user] of batch.entries()) {
              const beforeUser = { ...counts };
              try {
                await inSavepoint(trx, () => this.applyUser(trx, user, options, groupsOf, counts, actor));
              } catch (error) {
                Object.assign(counts, beforeUser);
                errors.add(i + k + 1, `user ${user.username}: ${messageOf(error)}`);
              }
            }
          });
        }
        await errors.flush(progress);
      }
      for (const username of toDelete) {
        await this.users.deleteExistingUser(username, false);
        counts.deleted++;
      }
    }
    if (options.groups === "always" || (options.groups === "if-added" && counts.added > 0)) {
      for (const group of await this.groupsToSync(source)) {
        const members = await source.groupMemberNames(group);
        const change = await this.db.write((trx) => this.replaceGroupMembers(trx, group, members));
        counts.memberships += change.added + change.removed;
        counts.groups++;
      }
    }
    return `Sync complete: ${counts.added} users added, ${counts.updated} updated, ${counts.deleted} deleted, ${counts.groups} groups synced (${counts.memberships} membership changes), ${errors.count} errors.`;
  }

  /**
   * Applies a batch of directory users set-based: the batch's existing users are read with one query and
   * the new ones are created together (UsersService.createUsers), joining their groups before the groups'
   * initial settings are read, as one user at a time would; existing users' details are updated one by one.
   */
  private async applyBatch(
    trx: Trx,
    batch: readonly DirectoryUser[],
    options: SyncOptions,
    groupsOf: ReadonlyMap<string, string[]>,
    counts: { added: number; updated: number },
    actor: Actor,
  ): Promise<void> {
    const existing = new Set((await this.users.findUsers(trx, [...new Set(batch.map((u) => u.username))])).map((u) => u.username));
    const fresh: NewUserChanges[] = [];
    const rest: DirectoryUser[] = [];
    for (const user of batch) {
      if (existing.has(user.username)) {
        rest.push(user);
        continue;
      }
      existing.add(user.username);
      const groups = groupsOf.get(user.username) ?? [];
      fresh.push({ username: user.username, source: DIRECTORY_SOURCE, internal: 0, writes: this.detailWrites(user), direct: this.directValues(user), settingsKey: groups.join("\n") });
    }
    await this.users.createUsers(trx, fresh, actor, async (ids) => {
      const members = new Map<string, number[]>();
      for (const u of fresh) for (const g of groupsOf.get(u.username) ?? []) members.set(g, [...(members.get(g) ?? []), ids.get(u.username)!]);
      for (const [group, userIds] of members) await this.groups.addNewMembers(trx, await this.groups.ensureGroup(trx, group, this.clock.now()), userIds);
    });
    counts.added += fresh.length;
    if (!options.updateDetails) return;
    for (const user of rest) {
      await this.users.applyUserChanges(trx, user.username, this.detailWrites(user), this.directValues(user), undefined, actor);
      counts.updated++;
    }
  }

  /** Applies one directory user (the one-at-a-time path). */
  private async applyUser(trx: Trx, user: DirectoryUser, options: SyncOptions, groupsOf: ReadonlyMap<string, string[]>, counts: { added: number; updated: number }, actor: Actor): Promise<void> {
    const exists = (await this.users.defaultPersonalAccountId(trx, user.username)) !== undefined;
    if (!exists) {
      await this.createFromDirectory(trx, user, actor, groupsOf.get(user.username) ?? []);
      counts.added++;
    } else if (options.updateDetails) {
      await this.users.applyUserChanges(trx, user.username, this.detailWrites(user), this.directValues(user), undefined, actor);
      counts.updated++;
    }
  }

  /** The groups whose memberships a sync maintains: Quire's own, plus every directory group with create-groups. */
  private async groupsToSync(source: DirectorySource): Promise<string[]> {
    const names = new Set(await this.groups.listStoredGroupNames());
    if (isYes(directorySetting(this.config, "user-source.sync.create-groups"))) for (const g of await source.allGroups()) names.add(g);
    return [...names].sort();
  }

  private detailWrites(user: DirectoryUser): Array<[string, string]> {
    const writes: Array<[string, string]> = [];
    const put = (property: string, value: string) => {
      if (value !== "") writes.push([property, value]);
    };
    put("full-name", user.fullName);
    put("email", user.email);
    put("department", user.department);
    put("office", user.office);
    put("home", user.home);
    if (isYes(directorySetting(this.config, "user-source.update-user-details-card-id"))) {
      put("primary-card-number", user.primaryCard);
      put("secondary-card-number", user.secondaryCard);
      put("username-alias", user.alias);
      put("card-pin", user.pin);
    }
    return writes;
  }

  private directValues(user: DirectoryUser): Partial<UserRow> {
    return user.otherEmails !== "" ? { other_emails: user.otherEmails } : {};
  }

  private async createFromDirectory(trx: Trx, user: DirectoryUser, actor: Actor, groups: readonly string[]): Promise<number> {
    const id = await this.users.createUser(trx, { username: user.username, source: DIRECTORY_SOURCE }, actor, async (userId) => {
      for (const g of groups) await this.groups.addMember(trx, await this.groups.ensureGroup(trx, g, this.clock.now()), userId);
    });
    await this.users.applyUserChanges(trx, user.username, this.detailWrites(user), this.directValues(user), undefined, actor);
    return id;
  }
}
