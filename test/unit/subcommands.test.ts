import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { faultXml, MalformedRequest, parseMethodResponse, responseXml, type XmlRpcValue } from "../../src/rpc/codec.js";
import { METHODS } from "../../src/rpc/methods.js";
import { faultMessage, findSubcommand, formatResult, kebabCase, parseArguments, subcommandsOf, usageOf, UsageError } from "../../src/cli/subcommands.js";
import { helpText, subcommandHelp } from "../../src/cli/server-command.js";

const SUBCOMMANDS = subcommandsOf(METHODS);

function sub(name: string) {
  const s = findSubcommand(SUBCOMMANDS, name);
  assert.ok(s, `subcommand ${name} exists`);
  return s;
}

/** The values a parsed command line sends, read back through the response parser. */
function sent(name: string, args: string[]): XmlRpcValue[] {
  return parseArguments(sub(name), args).valuesXml.map((xml) => {
    const r = parseMethodResponse(`<methodResponse><params><param><value>${xml}</value></param></params></methodResponse>`);
    assert.equal(r.kind, "value");
    return (r as { value: XmlRpcValue }).value;
  });
}

describe("server-command subcommands generated from the method table", () => {
  it("names methods in kebab-case, splitting acronyms", () => {
    assert.equal(kebabCase("api.getUserAccountBalance"), "get-user-account-balance");
    assert.equal(kebabCase("api.lookUpUserNameByIDNo"), "look-up-user-name-by-id-no");
    assert.equal(kebabCase("api.enableDeviceSnmpv3"), "enable-device-snmpv3");
    assert.equal(kebabCase("api.setUserAccountSelectionAutoSelectSharedAccount"), "set-user-account-selection-auto-select-shared-account");
  });

  it("every method of the table is a subcommand under its kebab-case name, listed in --help", () => {
    const help = helpText(SUBCOMMANDS);
    assert.equal(SUBCOMMANDS.length, METHODS.length);
    for (const def of METHODS) {
      const found = findSubcommand(SUBCOMMANDS, kebabCase(def.name));
      assert.equal(found?.method, def, `${def.name} → ${kebabCase(def.name)}`);
      assert.ok(help.includes(`\n  ${usageOf(found!)}\n`), `--help lists ${found!.name}`);
      const one = subcommandHelp(found!);
      assert.ok(one.includes(def.summary) && one.includes(def.name), `help ${found!.name} shows the summary and the API method`);
      for (const p of def.params) assert.ok(usageOf(found!).includes(p.name), `usage of ${found!.name} names ${p.name}`);
    }
  });

  it("keeps PaperCut's documented names: get-config, set-config, user-exists", () => {
    assert.equal(sub("get-config").method.name, "api.getConfigValue");
    assert.equal(sub("get-config-value").method.name, "api.getConfigValue");
    assert.equal(sub("set-config").method.name, "api.setConfigValue");
    assert.equal(sub("user-exists").method.name, "api.isUserExists");
    assert.equal(sub("is-user-exists").method.name, "api.isUserExists");
  });

  it("types arguments from the parameter kinds", () => {
    const values = sent("adjust-user-account-balance", ["bob", "-2.50", "a comment"]);
    assert.deepEqual(values, [
      { kind: "string", value: "bob", typed: true },
      { kind: "double", text: "-2.5" },
      { kind: "string", value: "a comment", typed: true },
    ]);
    assert.deepEqual(sent("disable-printing-for-user", ["bob", "-1"])[1], { kind: "int", value: -1 });
    assert.deepEqual(sent("delete-existing-user", ["bob", "TRUE"])[1], { kind: "boolean", value: true });
    assert.deepEqual(sent("delete-existing-user", ["bob", "no"])[1], { kind: "boolean", value: false });
  });

  it("reads a trailing array parameter from the rest of the line: items, or name value pairs", () => {
    const [, names] = sent("get-user-properties", ["bob", "full-name", "email"]);
    assert.equal(names.kind, "array");
    assert.deepEqual((names as { items: XmlRpcValue[] }).items.map((i) => (i as { value: string }).value), ["full-name", "email"]);
    const [, pairs] = sent("set-user-properties", ["bob", "full-name", "Bob B", "email", "b@example.org"]);
    const items = (pairs as { items: XmlRpcValue[] }).items.map((p) => (p as { items: Array<{ value: string }> }).items.map((v) => v.value));
    assert.deepEqual(items, [
      ["full-name", "Bob B"],
      ["email", "b@example.org"],
    ]);
    assert.throws(() => parseArguments(sub("set-user-properties"), ["bob", "full-name"]), UsageError);
  });

  it("lets list commands leave out offset and limit to list everything", () => {
    const parsed = parseArguments(sub("list-user-accounts"), []);
    assert.deepEqual(parsed.pageAll, { at: 0 });
    assert.equal(parseArguments(sub("list-user-accounts"), ["0", "10"]).pageAll, undefined);
    assert.match(usageOf(sub("list-user-accounts")), /^list-user-accounts \[<offset:integer> <limit:integer>\]$/);
  });

  it("refuses wrong argument counts and bad values with the expected signature", () => {
    const cases: Array<[string, string[], RegExp]> = [
      ["get-user-account-balance", [], /takes 1 to 2 arguments, but 0 were given\.\nUsage: server-command get-user-account-balance <username> \[<accountName>\]/],
      ["get-total-users", ["x"], /takes 0 arguments, but 1 was given/],
      ["adjust-user-account-balance", ["bob", "ten", "c"], /adjustment must be an amount/],
      ["disable-printing-for-user", ["bob", "1.5"], /disableMins must be a whole number/],
      ["delete-existing-user", ["bob", "maybe"], /redactUserData must be true or false/],
    ];
    for (const [name, args, message] of cases) assert.throws(() => parseArguments(sub(name), args), (e: Error) => e instanceof UsageError && message.test(e.message), name);
  });

  it("prints plain values on a line, arrays one item a line and structs name=value", () => {
    assert.equal(formatResult({ kind: "boolean", value: true }), "true\n");
    assert.equal(formatResult({ kind: "double", text: "-3.5" }), "-3.5\n");
    assert.equal(formatResult({ kind: "string", value: "a b\\c", typed: true }), "a b\\c\n");
    assert.equal(formatResult({ kind: "array", items: [] }), "");
    assert.equal(
      formatResult({ kind: "array", items: [{ kind: "string", value: "alice", typed: false }, { kind: "string", value: "bob", typed: false }] }),
      "alice\nbob\n",
    );
    assert.equal(formatResult({ kind: "struct", members: new Map<string, XmlRpcValue>([["completed", { kind: "boolean", value: true }]]) }), "completed=true\n");
  });

  it("reads the server's answers: a value, a fault, and refuses a request document", () => {
    assert.deepEqual(parseMethodResponse(responseXml("<int>7</int>")), { kind: "value", value: { kind: "int", value: 7 } });
    assert.deepEqual(parseMethodResponse(faultXml(-1, "java.lang.NoSuchMethodException: x & y")), { kind: "fault", faultCode: -1, faultString: "java.lang.NoSuchMethodException: x & y" });
    assert.throws(() => parseMethodResponse("<methodCall><methodName>a</methodName></methodCall>"), MalformedRequest);
  });

  it("shows fault messages without Java exception prefixes", () => {
    assert.equal(faultMessage("java.lang.IllegalArgumentException: The user with name bob could not be found."), "The user with name bob could not be found.");
    assert.equal(faultMessage("Authentication failed: invalid or missing auth token."), "Authentication failed: invalid or missing auth token.");
  });
});
