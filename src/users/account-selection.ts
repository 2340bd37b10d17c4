// Account selection modes (read back through the account-selection.* user properties) and what each
// API setter stores.
import type { UserRow } from "./properties.js";

export const ACCOUNT_SELECTION_MODES = [
  "AUTO_CHARGE_TO_PERSONAL_ACCOUNT",
  "CHARGE_TO_PERSONAL_ACCOUNT_WITH_CONFIRMATION",
  "AUTO_CHARGE_TO_SHARED",
  "SHOW_ACCOUNT_SELECTION_POPUP",
  "SHOW_ADVANCED_ACCOUNT_SELECTION_POPUP",
  "SHOW_MANAGER_MODE_POPUP",
] as const;

export type AccountSelection = Partial<UserRow>;

const flag = (b: boolean) => (b ? 1 : 0) as 0 | 1;
const cleared: AccountSelection = {
  can_charge_personal: 0,
  can_charge_shared_from_list: 0,
  can_charge_shared_by_pin: 0,
  can_print_as_other_user: 0,
  charge_personal_when_shared: 0,
  auto_shared_account: "",
  default_shared_account: "",
};

export function autoChargePersonal(withPopupConfirmation: boolean): AccountSelection {
  return {
    ...cleared,
    account_selection_mode: withPopupConfirmation ? "CHARGE_TO_PERSONAL_ACCOUNT_WITH_CONFIRMATION" : "AUTO_CHARGE_TO_PERSONAL_ACCOUNT",
    can_charge_personal: 1,
  };
}

export function autoSelectSharedAccount(accountName: string, chargeToPersonal: boolean): AccountSelection {
  return { ...cleared, account_selection_mode: "AUTO_CHARGE_TO_SHARED", auto_shared_account: accountName, charge_personal_when_shared: flag(chargeToPersonal) };
}

export function standardPopup(o: {
  allowPersonal: boolean;
  allowListSelection: boolean;
  allowPinCode: boolean;
  allowPrintingAsOtherUser: boolean;
  chargeToPersonalWhenSharedSelected: boolean;
  defaultSharedAccount: string;
}): AccountSelection {
  return {
    ...cleared,
    account_selection_mode: "SHOW_ACCOUNT_SELECTION_POPUP",
    can_charge_personal: flag(o.allowPersonal),
    can_charge_shared_from_list: flag(o.allowListSelection),
    can_charge_shared_by_pin: flag(o.allowPinCode),
    can_print_as_other_user: flag(o.allowPrintingAsOtherUser),
    charge_personal_when_shared: flag(o.chargeToPersonalWhenSharedSelected),
    default_shared_account: o.defaultSharedAccount,
  };
}

export function advancedPopup(o: { allowPersonal: boolean; chargeToPersonalWhenSharedSelected: boolean; defaultSharedAccount: string }): AccountSelection {
  return {
    ...cleared,
    account_selection_mode: "SHOW_ADVANCED_ACCOUNT_SELECTION_POPUP",
    can_charge_personal: flag(o.allowPersonal),
    can_charge_shared_from_list: 1,
    charge_personal_when_shared: flag(o.chargeToPersonalWhenSharedSelected),
    default_shared_account: o.defaultSharedAccount,
  };
}
