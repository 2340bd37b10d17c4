// Web services tokens (config key auth.webservices.auth-token) in PaperCut's three formats, matched
// in constant time (every character of the token, whatever the candidate), with the application name of
// the match; the parsed form never holds a token in clear text.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { matchToken, parseTokenConfig } from "../../src/security/tokens.js";

const match = (config: string, candidate: string) => matchToken(parseTokenConfig(config), candidate);

describe("auth tokens", () => {
  it("a JSON object maps application names to tokens; any value authenticates and names its application", () => {
    const config = '{"payments":"pay-secret","userUpdate":"sync-secret"}';
    assert.equal(match(config, "pay-secret"), "payments");
    assert.equal(match(config, "sync-secret"), "userUpdate");
    assert.equal(match(config, "payments"), undefined, "a label is not a token");
    assert.equal(match(config, "pay-secretX"), undefined);
  });

  it("several labels may share one token: the first label is reported", () => {
    assert.equal(match('{"a":"same","b":"same"}', "same"), "a");
  });

  it("a JSON array accepts any element, named token-1, token-2, …", () => {
    const config = '["first-secret", "second-secret"]';
    assert.equal(match(config, "first-secret"), "token-1");
    assert.equal(match(config, "second-secret"), "token-2");
    assert.equal(match(config, "third"), undefined);
  });

  it("a plain string is one token (the legacy form), after trimming the config value", () => {
    assert.equal(match("legacy-token", "legacy-token"), "default");
    assert.equal(match("  legacy-token \n", "legacy-token"), "default");
    assert.equal(match("legacy-token", " legacy-token"), undefined, "the caller's token is compared exactly");
    assert.equal(match("legacy-token", "LEGACY-TOKEN"), undefined, "comparison is case-sensitive");
  });

  it("values that look like JSON but are not objects or arrays of strings fall back to the whole text", () => {
    assert.equal(match("{not json", "{not json"), "default");
    assert.equal(match("12345", "12345"), "default");
    assert.equal(match('"quoted"', '"quoted"'), "default");
  });

  it("ignores non-string and empty entries in the JSON forms", () => {
    assert.deepEqual(
      parseTokenConfig('{"a":"x","b":5,"c":"","d":null}').map((e) => e.application),
      ["a"],
    );
    assert.deepEqual(
      parseTokenConfig('["x", 5, "", null, "y"]').map((e) => e.application),
      ["token-1", "token-2"],
    );
  });

  it("an empty config means no tokens: nothing matches, not even an empty token", () => {
    assert.deepEqual(parseTokenConfig(""), []);
    assert.deepEqual(parseTokenConfig("   "), []);
    assert.equal(match("", ""), undefined);
    assert.equal(match("[]", ""), undefined);
    assert.equal(match("{}", ""), undefined);
  });

  it("handles non-ASCII tokens and tokens of any length", () => {
    assert.equal(match('{"app":"pässwörd-✓"}', "pässwörd-✓"), "app");
    const long = "x".repeat(10_000);
    assert.equal(match(JSON.stringify([long]), long), "token-1");
    assert.equal(match(JSON.stringify([long]), long + "x"), undefined);
  });

  it("compares every character of the token whatever the candidate: a near miss anywhere, or any other length, does not match", () => {
    const entries = parseTokenConfig('{"a":"secret"}');
    assert.equal(matchToken(entries, "secret"), "a");
    for (const candidate of ["", "s", "secre", "secret!", "secret\u0000", "Secret", "secreT", "xecret", "x".repeat(1000), "sécret"]) {
      assert.equal(matchToken(entries, candidate), undefined, candidate);
    }
    // A token with a NUL or non-BMP characters is compared by code unit, with its length.
    assert.equal(match('["a\\u0000"]', "a\u0000"), "token-1");
    assert.equal(match('["a\\u0000"]', "a"), undefined);
    assert.equal(match('["k😀"]', "k😀"), "token-1");
    assert.equal(match('["k😀"]', "k😁"), undefined);
  });

  it("draws a fresh pad for each parse, so two parsed forms of one token differ", () => {
    const [first] = parseTokenConfig('["same-token"]');
    const [second] = parseTokenConfig('["same-token"]');
    assert.notDeepEqual(Array.from(first.masked), Array.from(second.masked));
    assert.equal(matchToken([first], "same-token"), "token-1");
    assert.equal(matchToken([second], "same-token"), "token-1");
  });

  it("keeps no token in clear text in its parsed form", () => {
    const entries = parseTokenConfig('{"app":"clear-text-secret"}');
    assert.ok(!JSON.stringify(entries).includes("clear-text-secret"));
    const codes = Array.from("clear-text-secret", (c) => c.charCodeAt(0));
    assert.notDeepEqual(Array.from(entries[0].masked), codes);
  });
});
