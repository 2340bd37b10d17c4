// Batch imports from files on the server, each run as a background task reporting through
// api.getTaskStatus. The file is checked before the task starts: a missing or unreadable file faults
// the call. Bad lines are reported with their line numbers and skipped; the rest is applied.
import type { AccountsService } from "../accounts/service.js";
import type { Database, Trx } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { Invalid, NotFound } from "../kernel/errors.js";
import { checkReadableFile } from "../kernel/text-file.js";
import { hashPassword } from "../security/admin-password.js";
import type { SharedAccountsService } from "../shared-accounts/service.js";
import type { TaskRunner } from "../tasks/service.js";
import type { UserRow } from "../users/properties.js";
import { checkInternalUsername, type Actor, type NewUserChanges, type UsersService } from "../users/service.js";
import { ImportErrors, importLines, type LineRecord } from "./line-import.js";
import { inSavepoint } from "./queries.js";
import { SharedAccountImport } from "./shared-account-import.js";
import { parseCardIdLine, parseInternalUserLine, parseUserLine, type UserRecord } from "./user-import.js";

interface UserCounts {
  created: number;
  updated: number;
  skipped: number;
}

const yesNo = (b: boolean) => (b ? "yes" : "no");

/** How a line is applied: whether it may create, must find, and what it may overwrite. */
interface LineOptions {
  create: boolean;
  mustExist?: boolean;
  internal?: boolean;
  overwritePins: boolean;
  overwritePasswords?: boolean;
  passwordHash?: string;
}

interface BulkOptions {
  /** Whether lines for unknown users create them (together, in the fast path). */
  create: boolean;
  internal: boolean;
  /** Password hashes of the batch's lines, by line number (internal users). */
  passwordHashes?: ReadonlyMap<number, string>;
  /** The options of every line (its password hash is added from passwordHashes). */
  line: Omit<LineOptions, "passwordHash">;
  actor: Actor;
}

/** The new user a line creates, with the same checks and values as the line-by-line path. */
function newUserOf({ line, record }: LineRecord<UserRecord>, bulk: BulkOptions): NewUserChanges {
  const writes: Array<readonly [string, string]> = [...record.writes];
  if (record.pin !== undefined) writes.push(["card-pin", record.pin]);
  const direct: Partial<UserRow> = {};
  if (record.otherEmails !== undefined) direct.other_emails = record.otherEmails;
  const passwordHash = bulk.passwordHashes?.get(line);
  if (bulk.internal) {
    checkInternalUsername(record.username);
    if (passwordHash === undefined) throw new Invalid(`a new internal user needs a password (second field).`);
  }
  return { username: record.username, source: bulk.internal ? "internal" : "import", internal: bulk.internal ? 1 : 0, writes, direct, ...(passwordHash !== undefined ? { passwordHash } : {}) };
}

export class ImportsService {
  constructor(
    private readonly db: Database,
    private readonly tasks: TaskRunner,
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly sharedAccounts: SharedAccountsService,
    private readonly clock: Clock,
  ) {}

  async batchImportUsers(path: string, createNewUsers: boolean, actor: Actor): Promise<void> {
    await checkReadableFile(path);
    await this.tasks.start("batch user import", `Batch user import started (file: ${path}, create new users: ${yesNo(createNewUsers)}).`, async (progress) => {
      const counts: UserCounts = { created: 0, updated: 0, skipped: 0 };
      const errors = new ImportErrors();
      const lines = await importLines(path, progress, errors, parseUserLine, (batch) =>
        this.applyUserBatch(batch, errors, counts, {
          create: createNewUsers,
          internal: false,
          line: { create: createNewUsers, overwritePins: true },
          actor,
        }),
      );
      return `User import complete: ${lines} lines processed, ${counts.created} users created, ${counts.updated} updated, ${counts.skipped} skipped (unknown users), ${errors.count} errors.`;
    });
  }

  async batchImportInternalUsers(path: string, overwritePasswords: boolean, overwritePins: boolean, actor: Actor): Promise<void> {
    await checkReadableFile(path);
    const intro = `Batch internal user import started (file: ${path}, overwrite passwords: ${yesNo(overwritePasswords)}, overwrite PINs: ${yesNo(overwritePins)}).`;
    await this.tasks.start("batch internal user import", intro, async (progress) => {
      const counts: UserCounts = { created: 0, updated: 0, skipped: 0 };
      const errors = new ImportErrors();
      const lines = await importLines(path, progress, errors, parseInternalUserLine, async (batch) => {
        // Password hashes are slow: compute them before the write unit so they never hold the write lock.
        const hashes = new Map<number, string>();
        await Promise.all(batch.filter((b) => b.record.password !== undefined).map(async (b) => hashes.set(b.line, await hashPassword(b.record.password!))));
        await this.applyUserBatch(batch, errors, counts, {
          create: true,
          internal: true,
          passwordHashes: hashes,
          line: { create: true, internal: true, overwritePins, overwritePasswords },
          actor,
        });
      });
      return `Internal user import complete: ${lines} lines processed, ${counts.created} users created, ${counts.updated} updated, ${errors.count} errors.`;
    });
  }

  async batchImportUserCardIdNumbers(path: string, overwritePins: boolean, actor: Actor): Promise<void> {
    await checkReadableFile(path);
    await this.tasks.start("card/ID number import", `Card/ID number import started (file: ${path}, overwrite PINs: ${yesNo(overwritePins)}).`, async (progress) => {
      const counts: UserCounts = { created: 0, updated: 0, skipped: 0 };
      const errors = new ImportErrors();
      const lines = await importLines(path, progress, errors, parseCardIdLine, (batch) =>
        this.applyUserBatch(batch, errors, counts, {
          create: false,
          internal: false,
          line: { create: false, mustExist: true, overwritePins },
          actor,
        }),
      );
      return `Card/ID number import complete: ${lines} lines processed, ${counts.updated} users updated, ${errors.count} errors.`;
    });
  }

  async batchImportSharedAccounts(path: string, test: boolean, deleteNonExistent: boolean, actor: Actor): Promise<string> {
    await checkReadableFile(path);
    const intro = `Batch shared account import started (file: ${path}, test: ${yesNo(test)}, delete accounts not in file: ${yesNo(deleteNonExistent)}).`;
    await this.tasks.start("batch shared account import", intro, (progress) => new SharedAccountImport(this.db, this.accounts, this.sharedAccounts, this.clock, actor).run(path, progress, { test, deleteNonExistent }));
    return `Import of ${path} started${test ? " as a test run" : ""}; follow it with api.getTaskStatus.`;
  }

  /**
   * Applies a batch in one write unit. Fast path: the batch's existing users are read with one query,
   * the new users are created together (UsersService.createUsers) and, when every other line names a
   * different existing user, those are updated together (UsersService.updateUsers); otherwise the
   * other lines are applied one by one. All without per-line savepoints: if anything fails, the whole
   * unit is undone and the batch is applied again line by line, each in its own savepoint, so a bad line
   * changes nothing, the good ones are kept and each error is reported against its line.
   */
  private async applyUserBatch(batch: Array<LineRecord<UserRecord>>, errors: ImportErrors, counts: UserCounts, bulk: BulkOptions): Promise<void> {
    const optionsOf = (line: number): LineOptions => {
      const passwordHash = bulk.passwordHashes?.get(line);
      return passwordHash !== undefined ? { ...bulk.line, passwordHash } : bulk.line;
    };
    const before = { ...counts };
    try {
      await this.db.write(async (trx) => {
        const names = [...new Set(batch.map((b) => b.record.username))];
        const existing = new Map((await this.users.findUsers(trx, names)).map((u) => [u.username, u]));
        const created = new Set<string>();
        let rest = batch;
        if (bulk.create) {
          rest = [];
          const fresh: NewUserChanges[] = [];
          for (const b of batch) {
            const name = b.record.username;
            if (existing.has(name) || created.has(name)) rest.push(b);
            else {
              created.add(name);
              fresh.push(newUserOf(b, bulk));
            }
          }
          await this.users.createUsers(trx, fresh, bulk.actor);
          counts.created += fresh.length;
        }
        const restNames = rest.map((b) => b.record.username);
        if (new Set(restNames).size === restNames.length && !restNames.some((n) => created.has(n))) {
          // Each remaining line names a different user that no other line of the batch touches.
          const updates = [];
          for (const { line, record } of rest) {
            const user = existing.get(record.username);
            if (!user) await this.applyUser(trx, record, optionsOf(line), counts, bulk.actor, null);
            else {
              updates.push({ user, ...this.userChangesOf(record, optionsOf(line), user) });
              counts.updated++;
            }
          }
          await this.users.updateUsers(trx, updates, bulk.actor);
          return;
        }
        // A preloaded row is current only until a line of the batch changes that user.
        const touched = new Set<string>();
        for (const { line, record } of rest) {
          const name = record.username;
          const known = created.has(name) || touched.has(name) ? undefined : (existing.get(name) ?? null);
          touched.add(name);
          await this.applyUser(trx, record, optionsOf(line), counts, bulk.actor, known);
        }
      });
      return;
    } catch {
      Object.assign(counts, before);
    }
    await this.db.write(async (trx) => {
      for (const { line, record } of batch) {
        const beforeLine = { ...counts };
        try {
          await inSavepoint(trx, () => this.applyUser(trx, record, optionsOf(line), counts, bulk.actor));
        } catch (error) {
          Object.assign(counts, beforeLine);
          errors.add(line, error);
        }
      }
    });
  }

  /** What a line changes on a user (existing, or undefined for a new one): property writes, direct values and password hash. */
  private userChangesOf(
    record: UserRecord,
    options: LineOptions,
    user: UserRow | undefined,
  ): { writes: Array<readonly [string, string]>; direct: Partial<UserRow>; passwordHash?: string } {
    const writes: Array<readonly [string, string]> = [...record.writes];
    const direct: Partial<UserRow> = {};
    if (record.otherEmails !== undefined) direct.other_emails = record.otherEmails;
    if (record.pin !== undefined && (options.overwritePins || !user?.card_pin_hash)) writes.push(["card-pin", record.pin]);
    if (options.passwordHash !== undefined && (!user || options.overwritePasswords || !user.password_hash)) return { writes, direct, passwordHash: options.passwordHash };
    return { writes, direct };
  }

  private async applyUser(
    trx: Trx,
    record: UserRecord,
    options: LineOptions,
    counts: UserCounts,
    actor: Actor,
    /** The user's current row when already read (null: known not to exist). */
    known?: UserRow | null,
  ): Promise<void> {
    const user =
      known !== undefined
        ? (known ?? undefined)
        : await this.users.requireUser(trx, record.username).catch((error: unknown) => {
            if (error instanceof NotFound) return undefined;
            throw error;
          });
    if (!user && options.mustExist) throw new NotFound(`The user with name ${record.username} could not be found.`);
    if (!user && !options.create) {
      counts.skipped++;
      return;
    }
    const { writes, direct, passwordHash } = this.userChangesOf(record, options, user);
    if (!user) {
      if (options.internal) {
        checkInternalUsername(record.username);
        if (passwordHash === undefined) throw new Invalid(`a new internal user needs a password (second field).`);
      }
      await this.users.createUser(trx, { username: record.username, source: options.internal ? "internal" : "import", internal: options.internal ? 1 : 0 }, actor);
    }
    await this.users.applyUserChanges(trx, record.username, writes, direct, passwordHash, actor);
    if (user) counts.updated++;
    else counts.created++;
  }
}
