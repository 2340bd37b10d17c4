// Use cases for users and their personal accounts. Each public method is one database transaction
// and knows nothing of XML or HTTP.
import { createHash, randomBytes } from "node:crypto";
import type { AccountsService, CreditRules, LedgerEntry } from "../accounts/service.js";
import { insertPersonalAccount, lockAccount, selectPersonalAccount, selectPersonalAccounts, sumPersonalBalances, updatePersonalAccounts } from "../accounts/queries.js";
import type { Database, Trx } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { Conflict, Invalid, NotFound, userNotFound } from "../kernel/errors.js";
import type { Micros } from "../kernel/money.js";
import { hashPassword, verifyPasswordHash } from "../security/admin-password.js";
import { columnsForProperties, planUserChange, readUserProperty, type AccountRow, type UserChange, type UserRow, type UserView } from "./properties.js";
import * as q from "./queries.js";

/** Who made a change, as recorded in the ledger and audit trail. */
export interface Actor {
  application: string;
}

export type OverdraftMode = "default" | "individual";

export interface NewInternalUser {
  username: string;
  password: string;
  fullName: string;
  email: string;
  cardId: string;
  pin: string;
}

/** Internal usernames must be printable and must not contain /, \ or @. */
export function checkInternalUsername(username: string): void {
  if (username.trim() === "") throw new Invalid("The username must not be empty.");
  if (username !== username.trim()) throw new Invalid(`The username "${username}" must not start or end with spaces.`);
  if (/[/\\@]/.test(username)) throw new Invalid(`The username ${username} contains a character internal usernames may not use (/, \\ or @).`);
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(username)) throw new Invalid("The username contains control characters.");
  if (username.length > 255) throw new Invalid("The username is longer than 255 characters.");
}

export function hashPin(pin: string): string {
  const salt = randomBytes(12).toString("base64");
  return `sha256$${salt}$${createHash("sha256").update(salt + pin).digest("base64")}`;
}

function checkPaging(offset: number, limit: number): void {
  if (offset < 0) throw new Invalid("offset must be zero or more.");
  if (limit < 0) throw new Invalid("limit must be zero or more.");
}

export function parseOverdraftMode(mode: string): OverdraftMode {
  const m = mode.trim().toLowerCase();
  if (m === "default" || m === "individual") return m;
  throw new Invalid(`Overdraft mode "${mode}" is not valid; use default or individual.`);
}

/** The initial settings a new user gets, computed outside the users feature (the groups' new-user rules). */
export interface InitialUserSettings {
  credit: Micros;
  restricted: 0 | 1;
  /** An individual overdraft to set, or null to leave the overdraft mode alone. */
  overdraft: Micros | null;
  selection: Partial<UserRow>;
}

/** A new user for createUsers: its row's origin plus the property writes and direct values to apply. */
export interface NewUserChanges {
  username: string;
  source: string;
  internal: 0 | 1;
  writes: ReadonlyArray<readonly [string, string]>;
  direct: Partial<UserRow>;
  /** Already hashed. */
  passwordHash?: string;
  /**
   * New users with the same key (and internal flag) get the same initial settings, read once for them
   * all; the caller gives different keys to users whose group memberships differ (directory sync).
   */
  settingsKey?: string;
}

export type InitialSettingsProvider = (trx: Trx, user: { id: number; internal: 0 | 1 }) => Promise<InitialUserSettings | undefined>;

/** listUserAccounts pages kept (least recently filled first out), and the names they may hold in all. */
const LIST_CACHE_PAGES = 64;
const LIST_CACHE_NAMES = 200_000;

/** The columns getUserOverdraftMode reads (one object, so its compiled read is found again). */
const OVERDRAFT_MODE_COLUMNS: q.UserColumns = { user: ["id"], account: ["overdraft_mode"] };

export class UsersService {
  private initialSettings?: InitialSettingsProvider;
  private readonly listCache = new Map<string, { version: number; names: readonly string[] }>();
  private listCacheNames = 0;

  constructor(
    private readonly db: Database,
    private readonly accounts: AccountsService,
    private readonly clock: Clock,
  ) {}

  // --- reads -----------------------------------------------------------------------------------

  async isUserExists(username: string): Promise<boolean> {
    return q.userExists(this.db.kysely, username);
  }

  /** Without an account name: the total of the user's personal accounts; with one, that account's balance. */
  async getUserAccountBalance(username: string, accountName = ""): Promise<Micros> {
    const user = await this.requireUser(this.db.kysely, username);
    const name = accountName.trim();
    if (name === "") return sumPersonalBalances(this.db.kysely, user.id);
    const account = await selectPersonalAccount(this.db.kysely, user.id, name);
    if (!account) throw new NotFound(`The user ${username} has no personal account named ${name}.`);
    return account.balance;
  }

  async getUserProperties(username: string, names: readonly string[]): Promise<string[]> {
    // Only the columns the asked properties read (a whole row when a name is unknown, which then faults).
    const view = await this.readView(username, columnsForProperties(names));
    return names.map((name) => readUserProperty(view, name));
  }

  async getUserOverdraftMode(username: string): Promise<OverdraftMode> {
    return (await this.readView(username, OVERDRAFT_MODE_COLUMNS)).account.overdraft_mode;
  }

  /**
   * On SQLite, pages are cached against the version the database's triggers keep of the set of live
   * usernames (any insert, delete, rename or deletion of a user moves it), so a script paging through
   * every user again and again reads SQLite once per page and change. The cached arrays are frozen.
   */
  async listUserAccounts(offset: number, limit: number): Promise<readonly string[]> {
    checkPaging(offset, limit);
    if (this.db.dialect !== "sqlite") return q.selectUsernames(this.db.kysely, offset, limit);
    const version = await q.selectUsersListVersion(this.db.kysely);
    const key = `${offset}:${limit}`;
    const hit = this.listCache.get(key);
    if (hit && hit.version === version) return hit.names;
    const names = Object.freeze(await q.selectUsernames(this.db.kysely, offset, limit));
    if (version !== undefined && names.length <= LIST_CACHE_NAMES) {
      this.dropCachedList(key);
      while (this.listCache.size >= LIST_CACHE_PAGES || this.listCacheNames + names.length > LIST_CACHE_NAMES) {
        this.dropCachedList(this.listCache.keys().next().value!);
      }
      this.listCache.set(key, { version, names });
      this.listCacheNames += names.length;
    }
    return names;
  }

  /** Drops the cached listUserAccounts pages (benchmarks measure the uncached path with it). */
  forgetCachedLists(): void {
    this.listCache.clear();
    this.listCacheNames = 0;
  }

  private dropCachedList(key: string): void {
    const page = this.listCache.get(key);
    if (!page) return;
    this.listCache.delete(key);
    this.listCacheNames -= page.names.length;
  }

  /** Live usernames created from one source (directory sync, import, internal), sorted. */
  async listUsernamesBySource(source: string): Promise<string[]> {
    return q.selectUsernamesBySource(this.db.kysely, source);
  }

  async getTotalUsers(): Promise<number> {
    return q.countUsers(this.db.kysely);
  }

  /** A page of users for the admin list: username order, optional case-insensitive search; `more` when another page follows. */
  async searchUsers(search: string, offset: number, limit: number): Promise<{ rows: q.UserListRow[]; more: boolean }> {
    checkPaging(offset, limit);
    const rows = await q.selectUserList(this.db.kysely, this.db.dialect, search.trim(), offset, limit + 1);
    return { rows: rows.slice(0, limit), more: rows.length > limit };
  }

  /** A user and their personal accounts, for the admin user page (password and PIN hashes left out). */
  async getUserDetail(username: string): Promise<{ user: Omit<UserRow, "password_hash" | "card_pin_hash">; accounts: AccountRow[] }> {
    const { password_hash: _p, card_pin_hash: _c, ...user } = await this.requireUser(this.db.kysely, username);
    const accounts = await selectPersonalAccounts(this.db.kysely, user.id);
    return { user, accounts };
  }

  /** Whether an internal user's password is right; false for unknown, deleted or directory users. */
  async verifyInternalUserPassword(username: string, password: string): Promise<boolean> {
    const user = await q.selectUserByName(this.db.kysely, username);
    if (!user || !user.internal || !user.password_hash) return false;
    return verifyPasswordHash(user.password_hash, password);
  }

  async lookUpUserNameByCardNo(card: string): Promise<string> {
    const t = card.trim();
    return t === "" ? "" : ((await q.selectUsernameByCard(this.db.kysely, t)) ?? "");
  }

  async lookUpUserNameByEmail(email: string): Promise<string> {
    const t = email.trim();
    return t === "" ? "" : ((await q.selectUsernameByEmail(this.db.kysely, t)) ?? "");
  }

  async lookUpUserNameBySecondaryUserName(alias: string): Promise<string> {
    const t = alias.trim();
    return t === "" ? "" : ((await q.selectUsernameByAlias(this.db.kysely, t)) ?? "");
  }

  async lookUpUsersByFullName(fullName: string): Promise<string[]> {
    const t = fullName.trim();
    return t === "" ? [] : q.selectUsernamesByFullName(this.db.kysely, t);
  }

  // --- balance changes -------------------------------------------------------------------------

  async adjustUserAccountBalance(username: string, amount: Micros, comment: string, accountName: string | undefined, actor: Actor): Promise<void> {
    await this.db.write(async (trx) => {
      const account = await this.personalAccountForWrite(trx, username, accountName);
      await this.accounts.adjustBalance(trx, account.id, amount, entry("adjustment", comment, actor));
    });
  }

  async adjustUserAccountBalanceIfAvailable(
    username: string,
    amount: Micros,
    leaveRemaining: Micros,
    comment: string,
    accountName: string | undefined,
    actor: Actor,
  ): Promise<boolean> {
    return this.db.write(async (trx) => {
      const account = await this.personalAccountForWrite(trx, username, accountName);
      return this.accounts.adjustBalanceIfAvailable(trx, account.id, amount, leaveRemaining, entry("adjustment", comment, actor));
    });
  }

  /** Resolves the card to its user and adjusts; false when no user has the card. */
  async adjustUserAccountBalanceByCardNumber(card: string, amount: Micros, comment: string, accountName: string | undefined, actor: Actor): Promise<boolean> {
    const t = card.trim();
    if (t === "") return false;
    return this.db.write(async (trx) => {
      const username = await q.selectUsernameByCard(trx, t);
      if (username === undefined) return false;
      const account = await this.personalAccountForWrite(trx, username, accountName);
      await this.accounts.adjustBalance(trx, account.id, amount, entry("adjustment", comment, actor));
      return true;
    });
  }

  async setUserAccountBalance(username: string, balance: Micros, comment: string, accountName: string | undefined, actor: Actor): Promise<void> {
    await this.db.write(async (trx) => {
      const account = await this.personalAccountForWrite(trx, username, accountName);
      await this.accounts.setBalance(trx, account.id, balance, entry("set-balance", comment, actor));
    });
  }

  // --- properties and settings ------------------------------------------------------------------

  /** Applies property writes all-or-nothing. */
  async setUserProperties(username: string, writes: ReadonlyArray<readonly [string, string]>, actor: Actor): Promise<void> {
    // Slow hashes are computed before the transaction so they never hold the write lock.
    const precheck = await this.view(this.db.kysely, username);
    if (writes.length === 0) return;
    const planned = planUserChange(precheck, writes);
    const passwordHash = planned.password !== undefined ? await hashPassword(planned.password) : undefined;
    await this.db.write((trx) => this.applyUserChanges(trx, username, writes, {}, passwordHash, actor));
  }

  /**
   * Applies property writes (as setUserProperties) plus direct row values in the caller's transaction;
   * used by batch imports and directory syncs. A password must already be hashed.
   */
  async applyUserChanges(
    trx: Trx,
    username: string,
    writes: ReadonlyArray<readonly [string, string]>,
    direct: Partial<UserRow>,
    passwordHash: string | undefined,
    actor: Actor,
  ): Promise<void> {
    const view = await this.view(trx, username);
    const change = planUserChange(view, writes);
    Object.assign(change.user, direct);
    await this.applyChange(trx, view, change, passwordHash, actor);
  }

  async setUserOverdraftMode(username: string, mode: string): Promise<void> {
    const parsed = parseOverdraftMode(mode);
    await this.db.write(async (trx) => {
      const view = await this.view(trx, username);
      await updatePersonalAccounts(trx, view.user.id, { overdraft_mode: parsed });
    });
  }

  async resetUserCounts(username: string, resetBy: string): Promise<void> {
    await this.updateUserRow(username, { job_count: 0, page_count: 0, counts_reset_by: resetBy, counts_reset_at: this.clock.now() });
  }

  /** Disables printing for `minutes`; -1 disables until re-enabled through the disabled-print property. */
  async disablePrintingForUser(username: string, minutes: number): Promise<void> {
    if (minutes < -1 || minutes === 0) throw new Invalid("disableMins must be a positive number of minutes, or -1 to disable until re-enabled.");
    const until = minutes === -1 ? null : this.clock.now() + minutes * 60_000;
    await this.updateUserRow(username, { disabled_print: 1, disabled_print_until: until });
  }

  async clearUserAdvancedPrinterSettings(username: string): Promise<void> {
    await this.updateUserRow(username, {
      dont_hold_jobs: 0,
      dont_apply_filters: 0,
      cost_adjustment_percent: null,
      dont_archive: 0,
      auto_release_jobs: 0,
    });
  }

  /** Stores an account-selection setting (mode and flags). Shared account names are checked by the caller. */
  async setAccountSelection(username: string, patch: Partial<UserRow>): Promise<void> {
    await this.updateUserRow(username, patch);
  }

  // --- lifecycle -------------------------------------------------------------------------------

  async addNewInternalUser(input: NewInternalUser, actor: Actor): Promise<void> {
    checkInternalUsername(input.username);
    if (input.password === "") throw new Invalid("An internal user needs a password.");
    const passwordHash = await hashPassword(input.password);
    const pinHash = input.pin.trim() !== "" ? hashPin(input.pin.trim()) : null;
    await this.db.write(async (trx) => {
      if (await q.userExists(trx, input.username)) throw new Conflict(`A user named ${input.username} already exists.`);
      const card = input.cardId.trim();
      if (card !== "" && (await q.selectUserIdByCard(trx, card)) !== undefined) {
        throw new Conflict(`Tried to set card number ${card}, but number is not unique.`);
      }
      await this.createUser(trx, {
        username: input.username,
        source: "internal",
        internal: 1,
        password_hash: passwordHash,
        full_name: input.fullName.trim(),
        email: input.email.trim(),
        primary_card: card === "" ? null : card,
        card_pin_hash: pinHash,
      }, actor);
    });
  }

  /**
   * Creates a user row and its default personal account in the caller's transaction, then applies the
   * initial settings (credit, restriction, account selection) from the registered provider; returns the user id.
   */
  async createUser(
    trx: Trx,
    values: Partial<UserRow> & { username: string; source: string },
    actor: Actor,
    /** Runs before the group-based initial settings are applied, e.g. to add the directory's memberships. */
    beforeInitialSettings?: (userId: number) => Promise<void>,
  ): Promise<number> {
    const now = this.clock.now();
    const userId = await q.insertUser(trx, { ...values, created_at: now });
    const accountId = await insertPersonalAccount(trx, userId, "", now);
    await beforeInitialSettings?.(userId);
    await this.applyInitialSettings(trx, { id: userId, internal: values.internal ?? 0 }, accountId, true, actor);
    return userId;
  }

  /** The live users among `usernames`, read in one statement (the batch imports preload a batch). */
  async findUsers(db: Database["kysely"] | Trx, usernames: readonly string[]): Promise<UserRow[]> {
    return q.selectUsersByNames(db, usernames);
  }

  /**
   * Creates many new users at once in the caller's transaction, each exactly as createUser followed by
   * applyUserChanges would (the batch imports): the same rows, initial settings, ledger rows and checks,
   * in a few statements. The usernames must be distinct and not yet in use. Throws (changing nothing
   * the caller keeps, as the caller's unit is undone) if any user cannot be created, e.g. a card number
   * already in use; callers then fall back to one user at a time to tell which.
   */
  async createUsers(
    trx: Trx,
    users: readonly NewUserChanges[],
    actor: Actor,
    /** Runs once the user rows exist, before the group-based initial settings are read (e.g. to add the directory's memberships). */
    beforeInitialSettings?: (ids: ReadonlyMap<string, number>) => Promise<void>,
  ): Promise<void> {
    if (users.length === 0) return;
    const now = this.clock.now();
    const cardOwners = new Map<string, string>();
    const planned = users.map((u) => {
      const view = { user: { username: u.username, internal: u.internal } as UserRow, account: {} as AccountRow, now };
      const change = planUserChange(view, u.writes);
      const row: Partial<UserRow> & { username: string; source: string; created_at: number } = {
        username: u.username,
        source: u.source,
        internal: u.internal,
        created_at: now,
        ...change.user,
        ...u.direct,
      };
      if (u.passwordHash !== undefined) row.password_hash = u.passwordHash;
      if (change.cardPin !== undefined) row.card_pin_hash = change.cardPin === "" ? null : hashPin(change.cardPin);
      for (const card of [row.primary_card, row.secondary_card]) {
        if (!card) continue;
        const owner = cardOwners.get(card);
        if (owner !== undefined && owner !== u.username) throw new Conflict(`The card number ${card} is not unique.`);
        cardOwners.set(card, u.username);
      }
      return { u, change, row };
    });
    if (await q.anyUserHasCard(trx, [...cardOwners.keys()])) throw new Conflict("A card number of a new user is already in use.");
    // Rows setting the same columns go into one multi-row insert.
    const bySignature = new Map<string, Array<(typeof planned)[number]["row"]>>();
    for (const p of planned) {
      const key = Object.keys(p.row).sort().join(",");
      const list = bySignature.get(key) ?? [];
      list.push(p.row);
      bySignature.set(key, list);
    }
    const ids = new Map<string, number>();
    for (const rows of bySignature.values()) {
      for (let i = 0; i < rows.length; i += 500) for (const [name, id] of await q.insertUsers(trx, rows.slice(i, i + 500))) ids.set(name, id);
    }
    await beforeInitialSettings?.(ids);
    // New users' initial settings depend only on whether they are internal and on their groups, which
    // the settings key stands for: they are read once per key, for its first user.
    const settingsKey = (u: NewUserChanges) => `${u.internal}:${u.settingsKey ?? ""}`;
    const byKey = new Map<string, Array<(typeof planned)[number]>>();
    for (const p of planned) {
      const list = byKey.get(settingsKey(p.u)) ?? [];
      list.push(p);
      byKey.set(settingsKey(p.u), list);
    }
    const settingsOf = new Map<string, InitialUserSettings | undefined>();
    for (const [key, list] of byKey) {
      const first = list[0];
      const settings = await this.initialSettings?.(trx, { id: ids.get(first.u.username)!, internal: first.u.internal });
      settingsOf.set(key, settings);
      if (!settings) continue;
      const columns = Object.keys(settings.selection);
      if (list.some((p) => columns.some((k) => k in p.row))) throw new Invalid("The initial account selection overlaps the imported values.");
      const userIds = list.map((p) => ids.get(p.u.username)!);
      for (let i = 0; i < userIds.length; i += 500) await q.updateUsers(trx, userIds.slice(i, i + 500), settings.selection);
    }
    await this.accounts.openPersonalAccounts(
      trx,
      planned.map(({ u, change }) => {
        const settings = settingsOf.get(settingsKey(u));
        const rules: CreditRules = settings
          ? { restricted: settings.restricted, ...(settings.overdraft !== null ? { overdraft_mode: "individual" as const, overdraft_amount: settings.overdraft } : {}) }
          : {};
        Object.assign(rules, change.account);
        const credit = settings?.credit ?? 0;
        const movements: Array<{ amount: Micros; entry: LedgerEntry }> = [];
        if (credit !== 0) movements.push({ amount: credit, entry: entry("initial-credit", "Initial credit from group settings", actor) });
        if (change.balance !== undefined && change.balance !== credit) {
          movements.push({ amount: change.balance - credit, entry: entry("set-balance", "Balance set through the balance property", actor) });
        }
        return { userId: ids.get(u.username)!, rules, movements };
      }),
    );
  }

  /**
   * Applies property writes and direct values to many existing users at once in the caller's transaction
   * (the batch imports), each exactly as applyUserChanges would, in a few statements: their default
   * accounts are read in one statement, each user row written once (users with the same change together),
   * credit rules and balances set-based. The users must be distinct and `user` their current rows. Card
   * numbers are checked conservatively: a card another user holds now, or that two of the users would
   * take, throws (the caller then applies its lines one at a time, which tells exactly which fails).
   */
  async updateUsers(
    trx: Trx,
    updates: ReadonlyArray<{ user: UserRow; writes: ReadonlyArray<readonly [string, string]>; direct: Partial<UserRow>; passwordHash?: string }>,
    actor: Actor,
  ): Promise<void> {
    if (updates.length === 0) return;
    if (new Set(updates.map((u) => u.user.id)).size !== updates.length) throw new Invalid("updateUsers takes each user once.");
    const now = this.clock.now();
    const accounts = await this.accounts.defaultPersonalAccounts(trx, updates.map((u) => u.user.id));
    const cards = new Map<string, number>();
    const planned = updates.map(({ user, writes, direct, passwordHash }) => {
      const account = accounts.get(user.id);
      if (!account) throw new NotFound(`The user ${user.username} has no personal account.`);
      const change = planUserChange({ user, account, now }, writes);
      Object.assign(change.user, direct);
      const patch: Partial<UserRow> = { ...change.user };
      for (const card of [patch.primary_card, patch.secondary_card]) {
        if (!card) continue;
        const other = cards.get(card);
        if (other !== undefined && other !== user.id) throw new Conflict(`The card number ${card} is not unique.`);
        cards.set(card, user.id);
      }
      if (passwordHash !== undefined) patch.password_hash = passwordHash;
      if (change.cardPin !== undefined) patch.card_pin_hash = change.cardPin === "" ? null : hashPin(change.cardPin);
      return { user, account, change, patch };
    });
    for (let i = 0, list = [...cards.keys()]; i < list.length; i += 500) {
      for (const holder of await q.selectCardHolders(trx, list.slice(i, i + 500))) {
        if (holder.id !== cards.get(holder.card)) throw new Conflict(`The card number ${holder.card} is not unique.`);
      }
    }
    const group = <T>(rows: Array<{ id: number; value: T }>): Array<{ value: T; ids: number[] }> => {
      const out = new Map<string, { value: T; ids: number[] }>();
      for (const r of rows) {
        const key = JSON.stringify(Object.entries(r.value as object).sort(([a], [b]) => (a < b ? -1 : 1)));
        const entry = out.get(key) ?? { value: r.value, ids: [] };
        entry.ids.push(r.id);
        out.set(key, entry);
      }
      return [...out.values()];
    };
    for (const { value, ids } of group(planned.filter((p) => Object.keys(p.patch).length > 0).map((p) => ({ id: p.user.id, value: p.patch })))) {
      for (let i = 0; i < ids.length; i += 500) await q.updateUsers(trx, ids.slice(i, i + 500), value);
    }
    for (const { value, ids } of group(planned.filter((p) => Object.keys(p.change.account).length > 0).map((p) => ({ id: p.user.id, value: p.change.account })))) {
      await this.accounts.setCreditRulesOfUsers(trx, ids, value);
    }
    const balanceEntry = entry("set-balance", "Balance set through the balance property", actor);
    await this.accounts.setBalances(
      trx,
      planned.filter((p) => p.change.balance !== undefined).map((p) => ({ accountId: p.account.id, balance: p.change.balance!, entry: balanceEntry })),
    );
  }

  /** Registers where new users' initial settings come from (the groups' new-user rules). */
  useInitialSettings(provider: InitialSettingsProvider): void {
    this.initialSettings = provider;
  }

  /**
   * Re-applies the initial settings of the user's groups: restriction, overdraft and account selection.
   * The balance is left alone (initial credit is given only when a user is created).
   */
  async reapplyInitialUserSettings(username: string, actor: Actor): Promise<void> {
    await this.db.write(async (trx) => {
      const view = await this.view(trx, username);
      await this.applyInitialSettings(trx, view.user, view.account.id, false, actor);
    });
  }

  private async applyInitialSettings(trx: Trx, user: { id: number; internal: 0 | 1 }, accountId: number, withCredit: boolean, actor: Actor): Promise<void> {
    const settings = await this.initialSettings?.(trx, user);
    if (!settings) return;
    await q.updateUser(trx, user.id, settings.selection);
    await updatePersonalAccounts(trx, user.id, {
      restricted: settings.restricted,
      ...(settings.overdraft !== null ? { overdraft_mode: "individual" as const, overdraft_amount: settings.overdraft } : {}),
    });
    if (withCredit && settings.credit !== 0) {
      await this.accounts.adjustBalance(trx, accountId, settings.credit, entry("initial-credit", "Initial credit from group settings", actor));
    }
  }

  async renameUserAccount(currentName: string, newName: string): Promise<void> {
    const target = newName.trim();
    if (target === "") throw new Invalid("The new username must not be empty.");
    await this.db.write(async (trx) => {
      const user = await this.requireUser(trx, currentName);
      if (target === currentName) return;
      if (await q.userExists(trx, target)) throw new Conflict(`Cannot rename ${currentName}: a user named ${target} already exists.`);
      await q.updateUser(trx, user.id, { username: target });
    });
  }

  async deleteExistingUser(username: string, redact: boolean): Promise<void> {
    await this.db.write(async (trx) => {
      const user = await this.requireUser(trx, username);
      await q.markUserDeleted(trx, user.id, this.clock.now());
      if (redact) await q.redactUser(trx, user.id);
    });
  }

  // --- for jobs, inside the caller's transaction -------------------------------------------------

  /**
   * What charging a job needs of the user it names, with the id of their default personal account, in
   * one statement; an unknown user is created, as on a first print.
   */
  async userForJob(trx: Trx, username: string): Promise<{ user: q.JobUser; accountId: number }> {
    let user = await q.selectJobUser(trx, username);
    if (!user) {
      if (username.length > 255) throw new Invalid("The username is longer than 255 characters.");
      // eslint-disable-next-line no-control-regex -- refusing control characters is the point
      if (/[\u0000-\u001f\u007f]/.test(username)) throw new Invalid("The username contains control characters.");
      await this.createUser(trx, { username, source: "job" }, { application: "job" });
      user = await q.selectJobUser(trx, username);
      if (!user) throw userNotFound(username);
    }
    if (user.account_id === null) throw new NotFound(`The user ${username} has no personal account.`);
    return { user, accountId: user.account_id };
  }

  /** Counts one job of `pages` pages for the user (print-stats.job-count and page-count). */
  async recordPrintUsage(trx: Trx, userId: number, pages: number): Promise<void> {
    await q.addUserPrintUsage(trx, userId, pages);
}

  /** The id of a live user's default personal account, read in the caller's transaction; undefined for an unknown user. */
  async defaultPersonalAccountId(db: Database["kysely"] | Trx, username: string): Promise<number | undefined> {
    const user = await q.selectUserByName(db, username);
    if (!user) return undefined;
    return (await selectPersonalAccount(db, user.id, ""))?.id;
  }

  // --- helpers ---------------------------------------------------------------------------------

  async requireUser(db: Database["kysely"] | Trx, username: string): Promise<UserRow> {
    const user = await q.selectUserByName(db, username);
    if (!user) throw userNotFound(username);
    return user;
  }

  /** The view for reading properties: user and default personal account in one statement. */
  private async readView(username: string, columns?: q.UserColumns): Promise<UserView> {
    const found = await q.selectUserWithPersonalAccount(this.db.kysely, username, columns);
    if (!found) throw userNotFound(username);
    if (!found.account) throw new NotFound(`The user ${username} has no personal account.`);
    return { user: found.user, account: found.account, now: this.clock.now() };
  }

  private async view(db: Database["kysely"] | Trx, username: string): Promise<UserView> {
    const user = await this.requireUser(db, username);
    const account = await selectPersonalAccount(db, user.id, "");
    if (!account) throw new NotFound(`The user ${username} has no personal account.`);
    return { user, account, now: this.clock.now() };
  }

  private async updateUserRow(username: string, patch: Partial<UserRow>): Promise<void> {
    await this.db.write(async (trx) => {
      const user = await this.requireUser(trx, username);
      await q.updateUser(trx, user.id, patch);
    });
  }

  /** The personal account to write: the default one, or a named one (created on first use). */
  private async personalAccountForWrite(trx: Trx, username: string, accountName: string | undefined): Promise<AccountRow> {
    const name = (accountName ?? "").trim();
    // The common case in one statement; the lookups below tell a missing user from a missing account.
    const existing = await q.selectPersonalAccountByUsername(trx, username, name);
    if (existing) return existing;
    const user = await this.requireUser(trx, username);
    let account = await selectPersonalAccount(trx, user.id, name);
    if (!account && name !== "") {
      // A new named account follows the user's credit rules, which live on the default account.
      const main = await selectPersonalAccount(trx, user.id, "");
      const rules = main ? { restricted: main.restricted, overdraft_mode: main.overdraft_mode, overdraft_amount: main.overdraft_amount } : {};
      await insertPersonalAccount(trx, user.id, name, this.clock.now(), rules);
      account = await selectPersonalAccount(trx, user.id, name);
    }
    if (!account) throw new NotFound(`The user ${username} has no personal account.`);
    return account;
  }

  private async applyChange(trx: Trx, view: UserView, change: UserChange, passwordHash: string | undefined, actor: Actor): Promise<void> {
    const userPatch: Partial<UserRow> = { ...change.user };
    for (const column of ["primary_card", "secondary_card"] as const) {
      const card = userPatch[column];
      if (card) {
        const other = await q.selectUserIdByCard(trx, card, view.user.id);
        if (other !== undefined) throw new Conflict(`Tried to set ${column === "primary_card" ? "primary-card-number" : "secondary-card-number"} to ${card}, but number is not unique.`);
      }
    }
    if (passwordHash !== undefined) userPatch.password_hash = passwordHash;
    if (change.cardPin !== undefined) userPatch.card_pin_hash = change.cardPin === "" ? null : hashPin(change.cardPin);
    await q.updateUser(trx, view.user.id, userPatch);
    await updatePersonalAccounts(trx, view.user.id, change.account);
    if (change.balance !== undefined) {
      await lockAccount(trx, view.account.id);
      await this.accounts.setBalance(trx, view.account.id, change.balance, entry("set-balance", "Balance set through the balance property", actor));
    }
  }
}

function entry(kind: string, comment: string, actor: Actor): LedgerEntry {
  return { kind, comment: comment.trim(), createdBy: actor.application };
}
