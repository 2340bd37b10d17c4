// The new-user rules of groups: what a user starts with when several groups define initial settings.
// Pure; the groups service reads the groups and the users service applies the result.
import { Invalid } from "../kernel/errors.js";
import type { Micros } from "../kernel/money.js";

type Flag = 0 | 1;

/** Account selection modes a group may give new users, from least to most choice. */
export const INITIAL_SELECTION_MODES = [
  "AUTO_CHARGE_TO_PERSONAL_ACCOUNT",
  "CHARGE_TO_PERSONAL_ACCOUNT_WITH_CONFIRMATION",
  "SHOW_ACCOUNT_SELECTION_POPUP",
  "SHOW_ADVANCED_ACCOUNT_SELECTION_POPUP",
  "SHOW_MANAGER_MODE_POPUP",
] as const;
export type InitialSelectionMode = (typeof INITIAL_SELECTION_MODES)[number];

export interface GroupInitialSettings {
  /** Initial credit. */
  balance: Micros;
  restricted: boolean;
  /** Individual overdraft for restricted users; 0 = the system default applies. */
  overdraft: Micros;
  accountSelectionMode: InitialSelectionMode;
  canChargePersonal: boolean;
  canChargeSharedFromList: boolean;
  canChargeSharedByPin: boolean;
}

/** What the merge yields, in the users feature's terms. */
export interface MergedInitialSettings {
  credit: Micros;
  restricted: Flag;
  /** Individual overdraft to set, or null to leave the default mode. */
  overdraft: Micros | null;
  selection: {
    account_selection_mode: string;
    can_charge_personal: Flag;
    can_charge_shared_from_list: Flag;
    can_charge_shared_by_pin: Flag;
  };
}

export function checkInitialSettings(s: GroupInitialSettings): void {
  if (!INITIAL_SELECTION_MODES.includes(s.accountSelectionMode)) {
    throw new Invalid(`The initial account selection mode ${String(s.accountSelectionMode)} is not valid; use one of ${INITIAL_SELECTION_MODES.join(", ")}.`);
  }
  if (s.overdraft < 0) throw new Invalid("The initial overdraft must be zero or more.");
}

const flag = (b: boolean): Flag => (b ? 1 : 0);

/**
 * Merges the settings of the groups a user belongs to that define new-user settings (the all-users group
 * excluded): credits add up; the user is restricted only if every group restricts (unrestricted wins);
 * the largest individual overdraft applies; popup options on in any group are on, and the mode offering
 * the most choice wins. With no such group, the all-users group's settings apply, if it defines any.
 */
export function mergeInitialSettings(groups: readonly GroupInitialSettings[], allUsers: GroupInitialSettings | undefined): MergedInitialSettings | undefined {
  const applying = groups.length > 0 ? groups : allUsers ? [allUsers] : [];
  if (applying.length === 0) return undefined;
  const restricted = applying.every((g) => g.restricted);
  const overdraft = Math.max(...applying.map((g) => g.overdraft));
  const rank = (m: InitialSelectionMode) => INITIAL_SELECTION_MODES.indexOf(m);
  const mode = applying.map((g) => g.accountSelectionMode).reduce((a, b) => (rank(b) > rank(a) ? b : a));
  return {
    credit: applying.reduce((sum, g) => sum + g.balance, 0),
    restricted: flag(restricted),
    overdraft: restricted && overdraft > 0 ? overdraft : null,
    selection: {
      account_selection_mode: mode,
      can_charge_personal: flag(applying.some((g) => g.canChargePersonal)),
      can_charge_shared_from_list: flag(applying.some((g) => g.canChargeSharedFromList)),
      can_charge_shared_by_pin: flag(applying.some((g) => g.canChargeSharedByPin)),
    },
  };
}
