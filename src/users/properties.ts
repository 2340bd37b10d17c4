// The user property table of the API (getUserProperty/setUserProperty): how each name reads from a user
// and its personal account, and what a write changes. Pure rules; the service applies the changes.
import type { Selectable } from "kysely";
import type { AccountTable, UserTable } from "../db/schema.js";
import { Invalid } from "../kernel/errors.js";
import { formatMoney, type Micros } from "../kernel/money.js";
import { formatFlag, parseAmount, parseCount, parseFlag } from "../kernel/text-values.js";

export type UserRow = Selectable<UserTable>;
export type AccountRow = Selectable<AccountTable>;

export interface UserView {
  user: UserRow;
  account: AccountRow;
  now: number;
}

/** What a property write changes. */
export interface UserChange {
  user: Partial<UserRow>;
  account: Partial<Pick<AccountRow, "restricted" | "overdraft_amount" | "overdraft_mode">>;
  balance?: Micros;
  password?: string;
  cardPin?: string;
}

/** The columns a property's reader uses: a narrow read of a user fetches only these. */
export interface PropertyColumns {
  user?: readonly (keyof UserRow)[];
  account?: readonly (keyof AccountRow)[];
}

interface PropertySpec {
  read?: (v: UserView) => string;
  /** Every column `read` may touch (required with `read`; a test checks narrow and whole reads agree). */
  reads?: PropertyColumns;
  write?: (value: string, change: UserChange, v: UserView) => void;
}

type FlagColumn = {
  [K in keyof UserRow]: UserRow[K] extends 0 | 1 ? K : never;
}[keyof UserRow];
type TextColumn = "full_name" | "email" | "department" | "office" | "notes" | "home" | "delegated_users" | "delegated_groups";

const flag = (name: string, column: FlagColumn): PropertySpec => ({
  read: (v) => formatFlag(v.user[column]),
  reads: { user: [column] },
  write: (value, c) => {
    (c.user as Record<string, unknown>)[column] = parseFlag(name, value);
  },
});
const text = (column: TextColumn): PropertySpec => ({
  read: (v) => v.user[column],
  reads: { user: [column] },
  write: (value, c) => {
    c.user[column] = value;
  },
});
const readOnly = (reads: PropertyColumns, read: (v: UserView) => string): PropertySpec => ({ read, reads });

/** Card numbers: "" (or blank, which scripts send as a single space) clears the number. */
function cardValue(value: string): string | null {
  const t = value.trim();
  return t === "" ? null : t;
}

export function isPrintingDisabled(user: Pick<UserRow, "disabled_print" | "disabled_print_until">, now: number): boolean {
  if (!user.disabled_print) return false;
  return user.disabled_print_until === null || user.disabled_print_until > now;
}

const primaryCard: PropertySpec = {
  read: (v) => v.user.primary_card ?? "",
  reads: { user: ["primary_card"] },
  write: (value, c) => {
    c.user.primary_card = cardValue(value);
  },
};
const secondaryCard: PropertySpec = {
  read: (v) => v.user.secondary_card ?? "",
  reads: { user: ["secondary_card"] },
  write: (value, c) => {
    c.user.secondary_card = cardValue(value);
  },
};

export const USER_PROPERTIES: Readonly<Record<string, PropertySpec>> = {
  balance: {
    read: (v) => formatMoney(v.account.balance),
    reads: { account: ["balance"] },
    write: (value, c) => {
      c.balance = parseAmount("balance", value);
    },
  },
  "primary-card-number": primaryCard,
  "secondary-card-number": secondaryCard,
  "card-number": primaryCard,
  "card-number2": secondaryCard,
  "card-pin": {
    write: (value, c) => {
      c.cardPin = value.trim();
    },
  },
  department: text("department"),
  office: text("office"),
  email: text("email"),
  "full-name": text("full_name"),
  notes: text("notes"),
  home: text("home"),
  password: {
    write: (value, c, v) => {
      if (!v.user.internal) throw new Invalid(`The password of ${v.user.username} is managed by the user directory; only internal users have a password here.`);
      if (value === "") throw new Invalid("The password must not be empty.");
      c.password = value;
    },
  },
  "disabled-print": {
    read: (v) => formatFlag(isPrintingDisabled(v.user, v.now)),
    reads: { user: ["disabled_print", "disabled_print_until"] },
    write: (value, c) => {
      c.user.disabled_print = parseFlag("disabled-print", value);
      c.user.disabled_print_until = null;
    },
  },
  "disabled-net": flag("disabled-net", "disabled_net"),
  restricted: {
    read: (v) => formatFlag(v.account.restricted),
    reads: { account: ["restricted"] },
    write: (value, c) => {
      c.account.restricted = parseFlag("restricted", value);
    },
  },
  internal: readOnly({ user: ["internal"] }, (v) => formatFlag(v.user.internal)),
  unauthenticated: flag("unauthenticated", "unauthenticated"),
  "username-alias": {
    read: (v) => v.user.username_alias ?? "",
    reads: { user: ["username_alias"] },
    write: (value, c) => {
      c.user.username_alias = value.trim() === "" ? null : value.trim();
    },
  },
  "print-stats.job-count": {
    read: (v) => String(v.user.job_count),
    reads: { user: ["job_count"] },
    write: (value, c) => {
      c.user.job_count = parseCount("print-stats.job-count", value);
    },
  },
  "print-stats.page-count": {
    read: (v) => String(v.user.page_count),
    reads: { user: ["page_count"] },
    write: (value, c) => {
      c.user.page_count = parseCount("print-stats.page-count", value);
    },
  },
  "net-stats.data-mb": {
    read: (v) => formatMoney(v.user.net_data_mb),
    reads: { user: ["net_data_mb"] },
    write: (value, c) => {
      c.user.net_data_mb = parseAmount("net-stats.data-mb", value);
    },
  },
  "net-stats.time-hours": {
    read: (v) => formatMoney(v.user.net_time_hours),
    reads: { user: ["net_time_hours"] },
    write: (value, c) => {
      c.user.net_time_hours = parseAmount("net-stats.time-hours", value);
    },
  },
  "dont-hold-jobs-in-release-station": flag("dont-hold-jobs-in-release-station", "dont_hold_jobs"),
  "dont-apply-printer-filter-rules": flag("dont-apply-printer-filter-rules", "dont_apply_filters"),
  "printer-cost-adjustment-rate-percent": {
    read: (v) => (v.user.cost_adjustment_percent === null ? "-1" : formatMoney(v.user.cost_adjustment_percent)),
    reads: { user: ["cost_adjustment_percent"] },
    write: (value, c) => {
      const amount = parseAmount("printer-cost-adjustment-rate-percent", value);
      if (amount < 0 && amount !== -1_000_000) throw new Invalid("printer-cost-adjustment-rate-percent must be zero or more, or -1 to turn the adjustment off.");
      c.user.cost_adjustment_percent = amount < 0 ? null : amount;
    },
  },
  "dont-archive": flag("dont-archive", "dont_archive"),
  "auto-release-jobs": flag("auto-release-jobs", "auto_release_jobs"),
  "overdraft-amount": {
    read: (v) => formatMoney(v.account.overdraft_amount),
    reads: { account: ["overdraft_amount"] },
    write: (value, c) => {
      const amount = parseAmount("overdraft-amount", value);
      if (amount < 0) throw new Invalid("overdraft-amount must be zero or more.");
      c.account.overdraft_amount = amount;
    },
  },
  "delegated-users": text("delegated_users"),
  "delegated-groups": text("delegated_groups"),
  "account-selection.mode": readOnly({ user: ["account_selection_mode"] }, (v) => v.user.account_selection_mode),
  "account-selection.can-charge-personal": readOnly({ user: ["can_charge_personal"] }, (v) => formatFlag(v.user.can_charge_personal)),
  "account-selection.can-charge-shared-from-list": readOnly({ user: ["can_charge_shared_from_list"] }, (v) => formatFlag(v.user.can_charge_shared_from_list)),
  "account-selection.can-charge-shared-by-pin": readOnly({ user: ["can_charge_shared_by_pin"] }, (v) => formatFlag(v.user.can_charge_shared_by_pin)),
  "other-emails": readOnly({ user: ["other_emails"] }, (v) => v.user.other_emails),
  "auto-shared-account": readOnly({ user: ["auto_shared_account"] }, (v) => v.user.auto_shared_account),
  "default-shared-account": readOnly({ user: ["default_shared_account"] }, (v) => v.user.default_shared_account),
};

// A Map for lookups: a property name never reaches an object's prototype, and reads are cheaper.
const SPECS = new Map(Object.entries(USER_PROPERTIES));

function specOf(name: string): PropertySpec {
  const spec = SPECS.get(name);
  if (!spec) throw new Invalid(`Unknown user property: ${name}.`);
  return spec;
}

/** Column sets already worked out, by the list of names asked for (scripts ask the same lists again and again). */
const columnSets = new Map<string, PropertyColumnSet | undefined>();
const MAX_COLUMN_SETS = 256;

export interface PropertyColumnSet {
  readonly user: ReadonlyArray<keyof UserRow>;
  readonly account: ReadonlyArray<keyof AccountRow>;
}

/**
 * The columns reading these properties needs (user and default personal account), in a stable order and
 * always with the user id; undefined when a name is unknown or unreadable (the read then reports it,
 * after the user lookup). The same list of names gives the same object.
 */
export function columnsForProperties(names: readonly string[]): PropertyColumnSet | undefined {
  const key = names.join("\n");
  if (columnSets.has(key)) return columnSets.get(key);
  const user = new Set<keyof UserRow>(["id"]);
  const account = new Set<keyof AccountRow>();
  let set: PropertyColumnSet | undefined = { user: [], account: [] };
  for (const name of names) {
    const reads = SPECS.get(name)?.reads;
    if (!reads) {
      set = undefined;
      break;
    }
    for (const c of reads.user ?? []) user.add(c);
    for (const c of reads.account ?? []) account.add(c);
  }
  if (set) set = Object.freeze({ user: Object.freeze([...user].sort()), account: Object.freeze([...account].sort()) });
  if (columnSets.size >= MAX_COLUMN_SETS) columnSets.delete(columnSets.keys().next().value!);
  columnSets.set(key, set);
  return set;
}

export function readUserProperty(view: UserView, name: string): string {
  const spec = specOf(name);
  if (!spec.read) throw new Invalid(`The user property ${name} cannot be read.`);
  return spec.read(view);
}

/** Folds writes, in order, into one change. Throws Invalid on an unknown, read-only or unparseable property. */
export function planUserChange(view: UserView, writes: ReadonlyArray<readonly [string, string]>): UserChange {
  const change: UserChange = { user: {}, account: {} };
  for (const [name, value] of writes) {
    const spec = specOf(name);
    if (!spec.write) throw new Invalid(`The user property ${name} is read-only.`);
    spec.write(value, change, view);
  }
  return change;
}
