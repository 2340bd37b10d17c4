import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeInitialSettings, type GroupInitialSettings } from "../../src/groups/initial-settings.js";
import { parseSharedAccountName, tryParseSharedAccountName } from "../../src/shared-accounts/names.js";
import { parseNameList, planSharedAccountChange } from "../../src/shared-accounts/properties.js";

describe("shared account names", () => {
  it("parses top-level and Parent\\Child names, ignoring spaces around the parts", () => {
    assert.deepEqual(parseSharedAccountName("Science"), { full: "Science", parent: "Science", child: null });
    assert.deepEqual(parseSharedAccountName(" Science \\ Chemistry "), { full: "Science\\Chemistry", parent: "Science", child: "Chemistry" });
  });

  it("refuses empty parts, deeper nesting and control characters", () => {
    for (const bad of ["", "  ", "\\x", "x\\", "a\\b\\c", "a\tb", "x".repeat(256)]) {
      assert.throws(() => parseSharedAccountName(bad), /shared account name/, JSON.stringify(bad));
      assert.equal(tryParseSharedAccountName(bad), undefined);
    }
  });
});

describe("shared account properties", () => {
  it("access lists split on commas or pipes; empty or - clears", () => {
    assert.deepEqual(parseNameList("alice, bob|carol,alice"), ["alice", "bob", "carol"]);
    assert.deepEqual(parseNameList(""), []);
    assert.deepEqual(parseNameList(" - "), []);
  });

  it("plans writes in order and refuses unknown or read-only names", () => {
    const change = planSharedAccountChange([
      ["restricted", "Y"],
      ["disabled", "false"],
      ["comment-option", "no_comment"],
      ["balance", "12.50"],
    ]);
    assert.deepEqual(change, { account: { restricted: 1, disabled: 0, disabled_until: null, comment_option: "NO_COMMENT" }, balance: 12_500_000 });
    assert.throws(() => planSharedAccountChange([["account-id", "4"]]), /read-only/);
    assert.throws(() => planSharedAccountChange([["colour", "red"]]), /Unknown/);
    assert.throws(() => planSharedAccountChange([["overdraft-amount", "-1"]]), /zero or more/);
  });
});

describe("initial user settings", () => {
  const base: GroupInitialSettings = {
    balance: 0,
    restricted: true,
    overdraft: 0,
    accountSelectionMode: "AUTO_CHARGE_TO_PERSONAL_ACCOUNT",
    canChargePersonal: true,
    canChargeSharedFromList: false,
    canChargeSharedByPin: false,
  };

  it("credits add up, unrestricted wins, options on anywhere are on, the richest mode wins", () => {
    const merged = mergeInitialSettings(
      [
        { ...base, balance: 5_000_000, overdraft: 1_000_000 },
        { ...base, balance: 2_500_000, restricted: false, accountSelectionMode: "SHOW_ACCOUNT_SELECTION_POPUP", canChargeSharedByPin: true },
      ],
      { ...base, balance: 100_000_000 },
    );
    assert.deepEqual(merged, {
      credit: 7_500_000,
      restricted: 0,
      overdraft: null,
      selection: { account_selection_mode: "SHOW_ACCOUNT_SELECTION_POPUP", can_charge_personal: 1, can_charge_shared_from_list: 0, can_charge_shared_by_pin: 1 },
    });
  });

  it("the all-users group applies only when no other group does; nothing applies without rules", () => {
    assert.equal(mergeInitialSettings([], { ...base, balance: 3_000_000, overdraft: 2_000_000 })?.credit, 3_000_000);
    assert.equal(mergeInitialSettings([], { ...base, overdraft: 2_000_000 })?.overdraft, 2_000_000);
    assert.equal(mergeInitialSettings([], undefined), undefined);
  });
});
