// The user property table of reference §5.1, without a database: how each name reads, what each write
// changes, and which names are read-only, write-only, aliases or unknown.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Invalid } from "../../src/kernel/errors.js";
import { columnsForProperties, isPrintingDisabled, planUserChange, readUserProperty, USER_PROPERTIES, type AccountRow, type UserRow, type UserView } from "../../src/users/properties.js";

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);

function user(overrides: Partial<UserRow> = {}): UserRow {
  return {
    id: 7,
    username: "alice",
    created_at: NOW - 1000,
    deleted_at: null,
    source: "internal",
    full_name: "Alice Example",
    email: "alice@example.org",
    department: "Physics",
    office: "B-12",
    notes: '{"expiry":"2027-01-01"}',
    primary_card: "C-100",
    secondary_card: null,
    card_pin_hash: "sha256$x$y",
    password_hash: "argon2",
    internal: 1,
    unauthenticated: 0,
    disabled_print: 0,
    disabled_print_until: null,
    disabled_net: 0,
    home: '"\\\\server\\share\\alice"',
    username_alias: "a.example",
    job_count: 12,
    page_count: 345,
    net_data_mb: 1_500_000,
    net_time_hours: 250_000,
    dont_hold_jobs: 0,
    dont_apply_filters: 1,
    cost_adjustment_percent: null,
    dont_archive: 0,
    auto_release_jobs: 1,
    delegated_users: "bob,carol",
    delegated_groups: "staff",
    other_emails: "a@example.net",
    account_selection_mode: "AUTO_CHARGE_TO_PERSONAL_ACCOUNT",
    can_charge_personal: 1,
    can_charge_shared_from_list: 0,
    can_charge_shared_by_pin: 0,
    can_print_as_other_user: 0,
    charge_personal_when_shared: 0,
    auto_shared_account: "",
    default_shared_account: "Dept\\Research",
    counts_reset_by: null,
    counts_reset_at: null,
    ...overrides,
  };
}

function account(overrides: Partial<AccountRow> = {}): AccountRow {
  return {
    id: 3,
    account_type: "personal",
    user_id: 7,
    sub_name: "",
    name: "",
    parent_id: null,
    balance: 1_234_560_000,
    restricted: 1,
    overdraft_mode: "individual",
    overdraft_amount: 5_000_000,
    disabled: 0,
    disabled_until: null,
    pin: "",
    notes: "",
    comment_option: "COMMENT_OPTIONAL",
    invoice_option: "USER_CHOICE_OFF",
    created_at: NOW - 1000,
    deleted_at: null,
    job_count: 0,
    page_count: 0,
    ...overrides,
  };
}

const view = (u: Partial<UserRow> = {}, a: Partial<AccountRow> = {}): UserView => ({ user: user(u), account: account(a), now: NOW });
const read = (name: string, v = view()) => readUserProperty(v, name);
const plan = (writes: Array<[string, string]>, v = view()) => planUserChange(v, writes);
const invalid = (fn: () => unknown, message: RegExp) => assert.throws(fn, (e: unknown) => e instanceof Invalid && message.test(e.message));

describe("user properties: reading", () => {
  it("reads every readable property of reference §5.1 in its text format", () => {
    const expected: Record<string, string> = {
      balance: "1234.56",
      "primary-card-number": "C-100",
      "secondary-card-number": "",
      "card-number": "C-100",
      "card-number2": "",
      department: "Physics",
      office: "B-12",
      email: "alice@example.org",
      "full-name": "Alice Example",
      notes: '{"expiry":"2027-01-01"}',
      "disabled-print": "false",
      "disabled-net": "false",
      restricted: "true",
      internal: "true",
      unauthenticated: "false",
      home: '"\\\\server\\share\\alice"',
      "username-alias": "a.example",
      "print-stats.job-count": "12",
      "print-stats.page-count": "345",
      "net-stats.data-mb": "1.5",
      "net-stats.time-hours": "0.25",
      "dont-hold-jobs-in-release-station": "false",
      "dont-apply-printer-filter-rules": "true",
      "printer-cost-adjustment-rate-percent": "-1",
      "dont-archive": "false",
      "auto-release-jobs": "true",
      "overdraft-amount": "5.0",
      "delegated-users": "bob,carol",
      "delegated-groups": "staff",
      "account-selection.mode": "AUTO_CHARGE_TO_PERSONAL_ACCOUNT",
      "account-selection.can-charge-personal": "true",
      "account-selection.can-charge-shared-from-list": "false",
      "account-selection.can-charge-shared-by-pin": "false",
      "other-emails": "a@example.net",
      "auto-shared-account": "",
      "default-shared-account": "Dept\\Research",
    };
    for (const [name, text] of Object.entries(expected)) assert.equal(read(name), text, name);
    // Every property in the table is covered above, except the two write-only ones.
    const readable = Object.keys(USER_PROPERTIES).filter((n) => USER_PROPERTIES[n].read);
    assert.deepEqual(readable.sort(), Object.keys(expected).sort());
  });

  it("each readable property declares the columns it reads, and reads the same from a view holding only those", () => {
    /** A row that holds only the listed columns and throws on any other read. */
    const only = <T extends object>(row: T, columns: readonly PropertyKey[]): T =>
      new Proxy(row, {
        get(target, key) {
          if (typeof key === "string" && !columns.includes(key)) throw new Error(`read undeclared column ${key}`);
          return Reflect.get(target, key) as unknown;
        },
      });
    const variants: UserView[] = [
      view(),
      view({ disabled_print: 1, disabled_print_until: null, cost_adjustment_percent: 12_500_000, secondary_card: "S-1", username_alias: null }, { restricted: 0 }),
      view({ disabled_print: 1, disabled_print_until: NOW + 60_000 }),
      view({ disabled_print: 1, disabled_print_until: NOW - 60_000 }),
    ];
    const readable = Object.keys(USER_PROPERTIES).filter((n) => USER_PROPERTIES[n].read);
    for (const name of readable) {
      const columns = columnsForProperties([name]);
      assert.ok(columns, `${name} declares no columns`);
      for (const full of variants) {
        const narrow: UserView = { user: only(full.user, columns.user), account: only(full.account, columns.account), now: full.now };
        assert.equal(readUserProperty(narrow, name), readUserProperty(full, name), name);
      }
    }
    // Sets are merged, sorted, and always hold the user id; an unknown or write-only name gives none.
    assert.deepEqual(columnsForProperties(["balance", "full-name", "email", "full-name"]), { user: ["email", "full_name", "id"], account: ["balance"] });
    assert.equal(columnsForProperties(["balance", "no-such-property"]), undefined);
    assert.equal(columnsForProperties(["card-pin"]), undefined);
  });

  it("formats amounts as plain decimals: no thousands separator, dot decimal, at least one fraction digit", () => {
    assert.equal(read("balance", view({}, { balance: 0 })), "0.0");
    assert.equal(read("balance", view({}, { balance: -10_500_000 })), "-10.5");
    assert.equal(read("balance", view({}, { balance: 1_234_567_890_000 })), "1234567.89");
    assert.equal(read("balance", view({}, { balance: 1 })), "0.000001");
    assert.equal(read("printer-cost-adjustment-rate-percent", view({ cost_adjustment_percent: 123_450_000 })), "123.45");
  });

  it("refuses to read the write-only card-pin and password", () => {
    invalid(() => read("card-pin"), /card-pin cannot be read/);
    invalid(() => read("password"), /password cannot be read/);
  });

  it("refuses unknown names, including pin and names inherited from Object", () => {
    for (const name of ["pin", "Balance", "balance ", "", "foo", "__proto__", "constructor", "toString", "hasOwnProperty"]) {
      invalid(() => read(name), /Unknown user property/);
    }
  });

  it("disabled-print reads true while a time-limited disable lasts and false once it has passed", () => {
    assert.equal(read("disabled-print", view({ disabled_print: 1, disabled_print_until: null })), "true");
    assert.equal(read("disabled-print", view({ disabled_print: 1, disabled_print_until: NOW + 1 })), "true");
    assert.equal(read("disabled-print", view({ disabled_print: 1, disabled_print_until: NOW })), "false");
    assert.equal(isPrintingDisabled(user({ disabled_print: 0, disabled_print_until: NOW + 60_000 }), NOW), false);
  });
});

describe("user properties: writing", () => {
  it("text properties store the value as given", () => {
    const change = plan([
      ["department", " Chemistry "],
      ["office", ""],
      ["email", "a@b.c"],
      ["full-name", "Alice B. Example"],
      ["notes", '{"k":[1,2]}'],
      ["home", '"\\\\srv\\home\\alice"'],
      ["delegated-users", "bob,dave"],
      ["delegated-groups", ""],
    ]);
    assert.deepEqual(change.user, {
      department: " Chemistry ",
      office: "",
      email: "a@b.c",
      full_name: "Alice B. Example",
      notes: '{"k":[1,2]}',
      home: '"\\\\srv\\home\\alice"',
      delegated_users: "bob,dave",
      delegated_groups: "",
    });
    assert.deepEqual(change.account, {});
  });

  it("flags accept true/false in any case (clients send TRUE and True), and Y/N, yes/no, 1/0", () => {
    const flags: Array<[string, keyof UserRow]> = [
      ["disabled-net", "disabled_net"],
      ["unauthenticated", "unauthenticated"],
      ["dont-hold-jobs-in-release-station", "dont_hold_jobs"],
      ["dont-apply-printer-filter-rules", "dont_apply_filters"],
      ["dont-archive", "dont_archive"],
      ["auto-release-jobs", "auto_release_jobs"],
    ];
    for (const [name, column] of flags) {
      for (const [text, value] of [["TRUE", 1], ["True", 1], ["true", 1], ["y", 1], ["yes", 1], ["1", 1], ["FALSE", 0], ["false", 0], ["N", 0], ["no", 0], ["0", 0], [" false ", 0]] as const) {
        assert.equal(plan([[name, text]]).user[column], value, `${name}=${text}`);
      }
      invalid(() => plan([[name, "maybe"]]), new RegExp(`for ${name.replace(/\./g, "\\.")} is not a boolean`));
      invalid(() => plan([[name, ""]]), /not a boolean/);
    }
  });

  it("restricted and overdraft-amount change the personal account", () => {
    assert.deepEqual(plan([["restricted", "FALSE"]]).account, { restricted: 0 });
    assert.deepEqual(plan([["overdraft-amount", "12.5"]]).account, { overdraft_amount: 12_500_000 });
    invalid(() => plan([["overdraft-amount", "-1"]]), /zero or more/);
    invalid(() => plan([["overdraft-amount", "lots"]]), /not a number/);
  });

  it("balance is parsed exactly into the change; commas and currency symbols are refused", () => {
    assert.equal(plan([["balance", "10.01"]]).balance, 10_010_000);
    assert.equal(plan([["balance", "-0.5"]]).balance, -500_000);
    assert.equal(plan([["balance", "3"]]).balance, 3_000_000);
    for (const bad of ["1,5", "$3", "", "ten", "1.2.3"]) invalid(() => plan([["balance", bad]]), /for balance is not a number/);
  });

  it("card numbers: primary and secondary, their legacy aliases card-number and card-number2, and blank clears", () => {
    assert.deepEqual(plan([["primary-card-number", " 12345 "]]).user, { primary_card: "12345" });
    assert.deepEqual(plan([["card-number", "777"]]).user, { primary_card: "777" });
    assert.deepEqual(plan([["secondary-card-number", "S-1"]]).user, { secondary_card: "S-1" });
    assert.deepEqual(plan([["card-number2", "S-2"]]).user, { secondary_card: "S-2" });
    assert.deepEqual(plan([["primary-card-number", ""]]).user, { primary_card: null });
    assert.deepEqual(plan([["card-number2", " "]]).user, { secondary_card: null });
  });

  it("card-pin and password are write-only; a blank card-pin clears it; only internal users have a password", () => {
    assert.equal(plan([["card-pin", " 4321 "]]).cardPin, "4321");
    assert.equal(plan([["card-pin", ""]]).cardPin, "");
    assert.equal(plan([["password", "n3w pass"]]).password, "n3w pass");
    invalid(() => plan([["password", ""]]), /must not be empty/);
    invalid(() => plan([["password", "x"]], view({ internal: 0 })), /managed by the user directory/);
  });

  it("username-alias: blank clears it", () => {
    assert.deepEqual(plan([["username-alias", " al "]]).user, { username_alias: "al" });
    assert.deepEqual(plan([["username-alias", ""]]).user, { username_alias: null });
  });

  it("counts are whole numbers of zero or more; Internet usage is decimal", () => {
    assert.deepEqual(plan([["print-stats.job-count", "0"], ["print-stats.page-count", "1234"]]).user, { job_count: 0, page_count: 1234 });
    for (const bad of ["-1", "1.5", "", "1e3", "x"]) invalid(() => plan([["print-stats.page-count", bad]]), /whole number/);
    assert.deepEqual(plan([["net-stats.data-mb", "12.75"], ["net-stats.time-hours", "0"]]).user, { net_data_mb: 12_750_000, net_time_hours: 0 });
  });

  it("printer-cost-adjustment-rate-percent: a decimal, or -1 to turn the adjustment off", () => {
    assert.deepEqual(plan([["printer-cost-adjustment-rate-percent", "123.45"]]).user, { cost_adjustment_percent: 123_450_000 });
    assert.deepEqual(plan([["printer-cost-adjustment-rate-percent", "-1"]]).user, { cost_adjustment_percent: null });
    assert.deepEqual(plan([["printer-cost-adjustment-rate-percent", "0"]]).user, { cost_adjustment_percent: 0 });
    invalid(() => plan([["printer-cost-adjustment-rate-percent", "-5"]]), /zero or more, or -1/);
  });

  it("disabled-print written by hand ends any time limit", () => {
    assert.deepEqual(plan([["disabled-print", "true"]]).user, { disabled_print: 1, disabled_print_until: null });
    assert.deepEqual(plan([["disabled-print", "false"]], view({ disabled_print: 1, disabled_print_until: NOW + 5 })).user, { disabled_print: 0, disabled_print_until: null });
  });

  it("refuses writes to read-only properties", () => {
    for (const name of [
      "internal",
      "account-selection.mode",
      "account-selection.can-charge-personal",
      "account-selection.can-charge-shared-from-list",
      "account-selection.can-charge-shared-by-pin",
      "other-emails",
      "auto-shared-account",
      "default-shared-account",
    ]) {
      invalid(() => plan([[name, "true"]]), new RegExp(`${name.replace(/\./g, "\\.")} is read-only`));
    }
  });

  it("refuses unknown names on write", () => {
    for (const name of ["pin", "foo", "__proto__", "constructor", "BALANCE"]) invalid(() => plan([[name, "1"]]), /Unknown user property/);
  });

  it("folds several writes in order (the last write of a name wins) and fails the whole plan on one bad write", () => {
    const change = plan([
      ["department", "A"],
      ["card-number", "1"],
      ["primary-card-number", "2"],
      ["department", "B"],
    ]);
    assert.deepEqual(change.user, { department: "B", primary_card: "2" });
    invalid(() => plan([["department", "A"], ["internal", "true"]]), /read-only/);
  });
});
