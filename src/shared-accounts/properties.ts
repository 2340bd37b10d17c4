// The shared account property table of the API (getSharedAccountProperty/setSharedAccountProperty): how each
// name reads from an account and its access lists, and what a write changes. Pure; the service applies it.
import type { Selectable } from "kysely";
import type { AccountTable } from "../db/schema.js";
import { Invalid } from "../kernel/errors.js";
import { formatMoney, type Micros } from "../kernel/money.js";
import { formatFlag, parseAmount, parseFlag } from "../kernel/text-values.js";

export type AccountRow = Selectable<AccountTable>;

export const COMMENT_OPTIONS = ["NO_COMMENT", "COMMENT_REQUIRED", "COMMENT_OPTIONAL"] as const;
export const INVOICE_OPTIONS = ["ALWAYS_INVOICE", "NEVER_INVOICE", "USER_CHOICE_ON", "USER_CHOICE_OFF"] as const;

export interface SharedAccountView {
  account: AccountRow;
  accessUsers: readonly string[];
  accessGroups: readonly string[];
  now: number;
}

/** What a property write changes. Access lists, when present, replace the current ones. */
export interface SharedAccountChange {
  account: Partial<Pick<AccountRow, "restricted" | "overdraft_amount" | "disabled" | "disabled_until" | "pin" | "notes" | "comment_option" | "invoice_option">>;
  balance?: Micros;
  accessUsers?: string[];
  accessGroups?: string[];
}

interface PropertySpec {
  read?: (v: SharedAccountView) => string;
  write?: (value: string, change: SharedAccountChange) => void;
}

export function isSharedAccountDisabled(account: AccountRow, now: number): boolean {
  if (!account.disabled) return false;
  return account.disabled_until === null || account.disabled_until > now;
}

/** A list value: names separated by commas (or by |, as in import files); empty or `-` clears the list. */
export function parseNameList(value: string): string[] {
  const t = value.trim();
  if (t === "" || t === "-") return [];
  const names = t
    .split(/[,|]/)
    .map((n) => n.trim())
    .filter((n) => n !== "");
  return [...new Set(names)];
}

function enumValue(name: string, allowed: readonly string[], value: string): string {
  const v = value.trim().toUpperCase();
  if (!allowed.includes(v)) throw new Invalid(`The value "${value}" for ${name} is not valid; use one of ${allowed.join(", ")}.`);
  return v;
}

export const SHARED_ACCOUNT_PROPERTIES: Readonly<Record<string, PropertySpec>> = {
  "access-groups": {
    read: (v) => v.accessGroups.join(","),
    write: (value, c) => {
      c.accessGroups = parseNameList(value);
    },
  },
  "access-users": {
    read: (v) => v.accessUsers.join(","),
    write: (value, c) => {
      c.accessUsers = parseNameList(value);
    },
  },
  "account-id": { read: (v) => String(v.account.id) },
  balance: {
    read: (v) => formatMoney(v.account.balance),
    write: (value, c) => {
      c.balance = parseAmount("balance", value);
    },
  },
  "comment-option": {
    read: (v) => v.account.comment_option,
    write: (value, c) => {
      c.account.comment_option = enumValue("comment-option", COMMENT_OPTIONS, value);
    },
  },
  disabled: {
    read: (v) => formatFlag(isSharedAccountDisabled(v.account, v.now)),
    write: (value, c) => {
      c.account.disabled = parseFlag("disabled", value);
      c.account.disabled_until = null;
    },
  },
  "invoice-option": {
    read: (v) => v.account.invoice_option,
    write: (value, c) => {
      c.account.invoice_option = enumValue("invoice-option", INVOICE_OPTIONS, value);
    },
  },
  notes: {
    read: (v) => v.account.notes,
    write: (value, c) => {
      c.account.notes = value;
    },
  },
  "overdraft-amount": {
    read: (v) => formatMoney(v.account.overdraft_amount),
    write: (value, c) => {
      const amount = parseAmount("overdraft-amount", value);
      if (amount < 0) throw new Invalid("overdraft-amount must be zero or more.");
      c.account.overdraft_amount = amount;
    },
  },
  pin: {
    read: (v) => v.account.pin,
    write: (value, c) => {
      c.account.pin = value.trim();
    },
  },
  restricted: {
    read: (v) => formatFlag(v.account.restricted),
    write: (value, c) => {
      c.account.restricted = parseFlag("restricted", value);
    },
  },
};

function specOf(name: string): PropertySpec {
  const spec = Object.prototype.hasOwnProperty.call(SHARED_ACCOUNT_PROPERTIES, name) ? SHARED_ACCOUNT_PROPERTIES[name] : undefined;
  if (!spec) throw new Invalid(`Unknown shared account property: ${name}.`);
  return spec;
}

export function readSharedAccountProperty(view: SharedAccountView, name: string): string {
  const spec = specOf(name);
  if (!spec.read) throw new Invalid(`The shared account property ${name} cannot be read.`);
  return spec.read(view);
}

/** Folds writes, in order, into one change. Throws Invalid on an unknown, read-only or unparseable property. */
export function planSharedAccountChange(writes: ReadonlyArray<readonly [string, string]>): SharedAccountChange {
  const change: SharedAccountChange = { account: {} };
  for (const [name, value] of writes) {
    const spec = specOf(name);
    if (!spec.write) throw new Invalid(`The shared account property ${name} is read-only.`);
    spec.write(value, change);
  }
  return change;
}
