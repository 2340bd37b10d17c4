// Money movements on any account (personal or shared): each change updates the balance and writes a
// ledger row in the caller's transaction, so an account's balance always equals the sum of its ledger.
import type { ConfigService } from "../config/service.js";
import { KNOWN_KEYS } from "../config/defaults.js";
import type { Trx } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { Invalid, NotFound } from "../kernel/errors.js";
import { formatMoney, MAX_MICROS, parseMoney, type Micros } from "../kernel/money.js";
import type { Db } from "../db/database.js";
import {
  accountExists,
  addToBalance,
  addToBalanceIfAvailable,
  changePersonalBalances,
  insertLedgerRow,
  insertLedgerRows,
  insertMissingPersonalAccounts,
  insertPersonalAccounts,
  lockAccount,
  lockAccountBalances,
  selectLedgerPage,
  selectLiveSharedAccounts,
  selectPersonalAccountsOfUser,
  selectSharedAccountByName,
  selectDefaultPersonalAccounts,
  selectSharedAccountsByNames,
  updateBalances,
  updatePersonalAccountsOfUsers,
  type AccountRow,
  type BulkBalanceRule,
  type CreditRules,
  type LedgerEntry,
  type UserIdQuery,
} from "./queries.js";

export type { AccountRow, BulkBalanceRule, CreditRules, LedgerEntry, UserIdQuery } from "./queries.js";
import { addAccountUsage, selectLedger, type LedgerFilter } from "./queries.js";

export type { LedgerFilter } from "./queries.js";

export class AccountsService {
  constructor(
    private readonly config: ConfigService,
    private readonly clock: Clock,
  ) {}

  /** The overdraft of restricted accounts in overdraft mode `default`. */
  defaultOverdraft(): Micros {
    return parseMoney(this.config.get(KNOWN_KEYS.defaultOverdraft)) ?? 0;
  }

  /** Adds a signed amount, unbounded by credit. Returns the balance after. */
  async adjustBalance(trx: Trx, accountId: number, amount: Micros, entry: LedgerEntry): Promise<Micros> {
    const after = await addToBalance(trx, accountId, amount);
    if (after === undefined) {
      if (!(await accountExists(trx, accountId))) throw new NotFound(`Account ${accountId} does not exist.`);
      throw new Invalid(`The change of ${formatMoney(amount)} would take the balance beyond ±${formatMoney(MAX_MICROS)}, the largest amount kept exactly.`);
    }
    await insertLedgerRow(trx, accountId, amount, after, entry, this.clock.now());
    return after;
  }

  /**
   * Adds a signed amount only if at least `leaveRemaining` credit is available afterwards (unrestricted
   * accounts always have credit; positive amounts always succeed). Returns false and changes nothing otherwise.
   */
  async adjustBalanceIfAvailable(trx: Trx, accountId: number, amount: Micros, leaveRemaining: Micros, entry: LedgerEntry): Promise<boolean> {
    const after =
      amount >= 0 ? await addToBalance(trx, accountId, amount) : await addToBalanceIfAvailable(trx, accountId, amount, leaveRemaining, this.defaultOverdraft());
    if (after === undefined) return false;
    await insertLedgerRow(trx, accountId, amount, after, entry, this.clock.now());
    return true;
  }

  /** Sets an absolute balance; the difference is written to the ledger. */
  async setBalance(trx: Trx, accountId: number, balance: Micros, entry: LedgerEntry): Promise<void> {
    const account = await lockAccount(trx, accountId);
    if (!account) throw new NotFound(`Account ${accountId} does not exist.`);
    const delta = balance - account.balance;
    if (delta === 0) return;
    await this.adjustBalance(trx, accountId, delta, entry);
  }

  /**
   * Sets many absolute balances at once in the caller's transaction (the batch imports), with the same
   * result as calling setBalance for each change in order: every change that moves a balance writes one
   * ledger row with the difference. The accounts are locked and read in one statement per 500, the
   * balances written in one statement per distinct final balance, the ledger rows 500 per statement.
   */
  async setBalances(trx: Trx, changes: ReadonlyArray<{ accountId: number; balance: Micros; entry: LedgerEntry }>): Promise<void> {
    if (changes.length === 0) return;
    const ids = [...new Set(changes.map((c) => c.accountId))];
    const start = new Map<number, Micros>();
    for (let i = 0; i < ids.length; i += 500) for (const [id, balance] of await lockAccountBalances(trx, ids.slice(i, i + 500))) start.set(id, balance);
    const current = new Map(start);
    const ledger: Array<{ accountId: number; amount: Micros; balanceAfter: Micros; entry: LedgerEntry }> = [];
    for (const c of changes) {
      const before = current.get(c.accountId);
      if (before === undefined) throw new NotFound(`Account ${c.accountId} does not exist.`);
      const delta = c.balance - before;
      if (delta === 0) continue;
      if (Math.abs(c.balance) > MAX_MICROS) {
        throw new Invalid(`The change of ${formatMoney(delta)} would take the balance beyond ±${formatMoney(MAX_MICROS)}, the largest amount kept exactly.`);
      }
      ledger.push({ accountId: c.accountId, amount: delta, balanceAfter: c.balance, entry: c.entry });
      current.set(c.accountId, c.balance);
    }
    const byBalance = new Map<Micros, number[]>();
    for (const [id, balance] of current) {
      if (balance === start.get(id)) continue;
      const list = byBalance.get(balance) ?? [];
      list.push(id);
      byBalance.set(balance, list);
    }
    for (const [balance, list] of byBalance) for (let i = 0; i < list.length; i += 500) await updateBalances(trx, list.slice(i, i + 500), balance);
    const now = this.clock.now();
    for (let i = 0; i < ledger.length; i += 500) await insertLedgerRows(trx, ledger.slice(i, i + 500), now);
  }

  /**
   * Opens the default personal accounts of new users in a few statements (the batch imports): each
   * starts at zero and takes its `movements` in order, one ledger row each, so its balance is the sum
   * of its ledger. Returns the account ids by user id.
   */
  async openPersonalAccounts(
    trx: Trx,
    accounts: ReadonlyArray<{ userId: number; rules: CreditRules; movements: ReadonlyArray<{ amount: Micros; entry: LedgerEntry }> }>,
  ): Promise<Map<number, number>> {
    const now = this.clock.now();
    const rows = accounts.map((a) => {
      let balance = 0;
      for (const m of a.movements) {
        balance += m.amount;
        if (Math.abs(balance) > MAX_MICROS) throw new Invalid(`The balance would leave ±${formatMoney(MAX_MICROS)}, the largest amount kept exactly.`);
      }
      return { user_id: a.userId, balance, created_at: now, ...a.rules };
    });
    const ids = new Map<number, number>();
    for (let i = 0; i < rows.length; i += 500) for (const [u, id] of await insertPersonalAccounts(trx, rows.slice(i, i + 500))) ids.set(u, id);
    const ledger: Array<{ accountId: number; amount: Micros; balanceAfter: Micros; entry: LedgerEntry }> = [];
    for (const a of accounts) {
      let after = 0;
      for (const m of a.movements) {
        if (m.amount === 0) continue;
        after += m.amount;
        ledger.push({ accountId: ids.get(a.userId)!, amount: m.amount, balanceAfter: after, entry: m.entry });
      }
    }
    for (let i = 0; i < ledger.length; i += 500) await insertLedgerRows(trx, ledger.slice(i, i + 500), now);
    return ids;
  }

  /** The live default personal accounts of many users, by user id (one statement per 500 users). */
  async defaultPersonalAccounts(db: Db | Trx, userIds: readonly number[]): Promise<Map<number, AccountRow>> {
    const out = new Map<number, AccountRow>();
    for (let i = 0; i < userIds.length; i += 500) for (const a of await selectDefaultPersonalAccounts(db, userIds.slice(i, i + 500))) out.set(a.user_id!, a);
    return out;
  }

  /** Applies the same credit rules (restriction, overdraft) to the personal accounts of many users, 500 per statement. */
  async setCreditRulesOfUsers(trx: Trx, userIds: readonly number[], rules: CreditRules): Promise<void> {
    for (let i = 0; i < userIds.length; i += 500) await updatePersonalAccountsOfUsers(trx, userIds.slice(i, i + 500), rules);
  }

  /** A live shared account by full name (`Parent\\Child` for a child), read in the caller's transaction or outside one. */
  async findSharedAccount(db: Db | Trx, fullName: string): Promise<AccountRow | undefined> {
    return selectSharedAccountByName(db, fullName);
  }

  /** The live shared accounts among `fullNames`, read in one statement. */
  async findSharedAccounts(db: Db | Trx, fullNames: readonly string[]): Promise<AccountRow[]> {
    return selectSharedAccountsByNames(db, fullNames);
  }

  /**
   * Changes the personal account (the default one, or the named `subName`, created where missing) of every
   * user the subquery selects, set-based in the caller's transaction: one ledger row per changed account.
   * Returns how many accounts changed.
   */
  async changePersonalBalancesOfUsers(trx: Trx, userIds: UserIdQuery, subName: string, rule: BulkBalanceRule, entry: LedgerEntry): Promise<number> {
    const now = this.clock.now();
    if (subName !== "") await insertMissingPersonalAccounts(trx, userIds, subName, now);
    return changePersonalBalances(trx, userIds, subName, rule, entry, now);
  }

  /** Counts one job of `pages` pages against the account, in the caller's transaction. */
  async recordPrintUsage(trx: Trx, accountId: number, pages: number): Promise<void> {
    await addAccountUsage(trx, accountId, pages);
  }

  /** The transaction log, oldest first: by account, by user (their personal accounts), by job and by time range. */
  async listTransactions(db: Db | Trx, filter: LedgerFilter) {
    return selectLedger(db, filter);
  }

  /** Every personal account of a user, deleted ones included (history reports). */
  async personalAccountsOf(db: Db | Trx, userId: number): Promise<AccountRow[]> {
    return selectPersonalAccountsOfUser(db, userId);
  }

  /** A page of the ledger of some accounts, in id order after `afterId`. */
  async ledgerPage(db: Db | Trx, accountIds: readonly number[], afterId: number, limit: number) {
    return selectLedgerPage(db, accountIds, afterId, limit);
  }

  async listLiveSharedAccounts(db: Db | Trx): Promise<AccountRow[]> {
    return selectLiveSharedAccounts(db);
  }
}
