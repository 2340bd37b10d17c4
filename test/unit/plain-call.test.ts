// The quick reader of plain methodCalls against the saxes reader: for any document, generated, laid out
// the ways clients lay them out, or mutated byte by byte, parseMethodCall (quick reader first) must give
// exactly what saxes alone gives — the same values or the same fault message. The quick reader must also
// really take the documents clients send, or this test would prove nothing about it.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DEFAULT_LIMITS, MalformedRequest, parseMethodCall, parseMethodCallWithSaxes, parsePlainMethodCall, type CodecLimits, type MethodCall } from "../../src/rpc/codec.js";
import { valueXml } from "../support/fuzz.js";

type Outcome = { call: MethodCall } | { error: string };

function outcome(read: (xml: string, limits: CodecLimits) => MethodCall, xml: string, limits: CodecLimits): Outcome {
  try {
    return { call: read(xml, limits) };
  } catch (error) {
    assert.ok(error instanceof MalformedRequest, `unexpected ${String(error)}`);
    return { error: error.message };
  }
}

let plainTaken = 0;
/** Asserts both readers agree on xml; returns whether the quick reader took it. */
function agree(xml: string, limits: CodecLimits = DEFAULT_LIMITS): boolean {
  assert.deepEqual(outcome(parseMethodCall, xml, limits), outcome(parseMethodCallWithSaxes, xml, limits), JSON.stringify(xml));
  // A document the quick reader takes is exactly one saxes takes, with the same values.
  const quick = parsePlainMethodCall(xml, limits);
  if (quick) plainTaken++;
  return quick !== undefined;
}

const SEPARATORS = ["", "", "\n", " ", "\t", "\r\n", "\n  "];
/** The document with a separator chosen by `pick` after each tag, as clients lay them out. */
function laidOut(xml: string, pick: (i: number) => number): string {
  let i = 0;
  return xml.replace(/>/g, () => ">" + SEPARATORS[pick(i++) % SEPARATORS.length]);
}

const document = fc
  .tuple(
    fc.constantFrom('<?xml version="1.0"?>', "<?xml version='1.0'?>\n", '<?xml version="1.0" encoding="UTF-8"?>', "", '<?xml version="1.1"?>', '<?xml version="1.0" standalone="yes"?>'),
    fc.oneof({ weight: 5, arbitrary: fc.constantFrom("api.isUserExists", "api.getUserProperties", " api.x ") }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }),
    fc.array(valueXml("token"), { maxLength: 5 }),
    fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
  )
  .map(([declaration, name, values, layout]) => {
    const escaped = name.replace(/&/g, "&amp;").replace(/</g, "&lt;");
    const params = values.map((v) => `<param><value>${v}</value></param>`).join("");
    const xml = `<methodCall><methodName>${escaped}</methodName><params>${params}</params></methodCall>`;
    return declaration + laidOut(xml, (i) => layout[i % layout.length]);
  });

const PIECES = ["<", ">", "/", "&", "&amp;", "&#60;", "\r", "\u0000", "\uD800", "\uFFFE", "\u00A0", " ", "\n", "a", "<!-- c -->", "<![CDATA[x]]>", "<!DOCTYPE x>", '="1"', "<value>", "</value>", "<nil/>", "<string>", "</param>", "<?pi?>"];
const mutation = fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...PIECES), fc.constantFrom("insert", "delete", "replace"));

function mutate(xml: string, [at, length, piece, kind]: [number, number, string, string]): string {
  const i = at % (xml.length + 1);
  if (kind === "insert") return xml.slice(0, i) + piece + xml.slice(i);
  if (kind === "delete") return xml.slice(0, i) + xml.slice(i + 1 + (length % 4));
  return xml.slice(0, i) + piece + xml.slice(i + 1 + (length % 4));
}

describe("XML-RPC codec: the quick reader of plain calls", () => {
  it("takes the bodies Python's xmlrpc.client sends, with the values saxes reads", () => {
    const calls = [
      { method: "api.isUserExists", params: ["tok", "alice"] },
      { method: "api.getUserProperties", params: ["tok", "bob", ["full-name", "balance", "email"]] },
      { method: "api.adjustUserAccountBalance", params: ["tok", "carol", -0.25, "Ein Kommentar: äöü 日本 😀"] },
      { method: "api.setUserProperties", params: ["tok", "dave", [["notes", "x"], ["restricted", "TRUE"]]] },
      { method: "api.listUserAccounts", params: ["tok", 0, 1000] },
      { method: "api.setUserOverdraftMode", params: ["tok", "erin", true] },
      { method: "api.addNewInternalUser", params: ["tok", "frank", "pw", "Frank F", "f@example.org", "1", "1234"] },
      { method: "api.x", params: [{ a: 1, b: [true, 2.5, "s"], c: {} }, []] },
      { method: "api.getTotalUsers", params: [] },
    ];
    const run = spawnSync("python3", ["-c", "import json,sys,xmlrpc.client\nprint(json.dumps([xmlrpc.client.dumps(tuple(c['params']), c['method']) for c in json.load(sys.stdin)]))"], {
      input: JSON.stringify(calls),
      encoding: "utf8",
    });
    assert.equal(run.status, 0, run.stderr);
    const bodies = JSON.parse(run.stdout) as string[];
    assert.equal(bodies.length, calls.length);
    for (const body of bodies) assert.ok(agree(body), `the quick reader declined ${JSON.stringify(body)}`);
    // And the values are the ones sent.
    const props = parseMethodCall(bodies[1]).params[2];
    assert.deepEqual(props, { kind: "array", items: ["full-name", "balance", "email"].map((value) => ({ kind: "string", value, typed: true })) });
    assert.deepEqual(parseMethodCall(bodies[2]).params.slice(2), [
      { kind: "double", text: "-0.25" },
      { kind: "string", value: "Ein Kommentar: äöü 日本 😀", typed: true },
    ]);
  });

  it("takes compact and untyped forms, and leaves references, CDATA, comments and attributes to saxes", () => {
    const call = (inner: string) => `<?xml version="1.0" encoding="UTF-8"?><methodCall><methodName>api.t</methodName><params><param><value>${inner}</value></param></params></methodCall>`;
    assert.ok(agree(call("alice")));
    assert.ok(agree(call("")));
    assert.ok(agree(call("<i4> 7 </i4>")));
    assert.ok(agree(call("<nil/>")));
    assert.ok(agree(call("<string/>")));
    assert.ok(agree(call(" <boolean>1</boolean> ")));
    assert.ok(agree("<methodCall><methodName>api.getTotalUsers</methodName></methodCall>"));
    for (const inner of ["a&amp;b", "<string>&#60;</string>", "<![CDATA[x]]>", "<!-- c --><int>1</int>", '<string lang="en">x</string>', "a\r\nb", "<nil />", "x<string>y</string>"]) {
      assert.equal(agree(call(inner)), false, inner);
    }
    for (const inner of ["\uDC00", "a\uD83D", "\uD83Db", "\uFFFE", "a\u0001"]) assert.equal(agree(call(inner)), false, JSON.stringify(inner));
    assert.ok(agree(call("\uD83D\uDE00\u00A0\uFFFD")));
    // Documents that end inside text or a tag are refused by saxes, never read on.
    for (const cut of ["<methodCall><methodName>api.t", "<methodCall><methodName>api.t</methodName><params><param><value>ab", "<methodCall><methodName>api.t</methodName><params><param><value><string>"]) {
      assert.equal(agree(cut), false, cut);
    }
    assert.equal(agree(call("<int>x</int>")), false);
    assert.equal(agree(call("<double>1e</double>")), false);
  });

  it("agrees with saxes on generated documents in every layout", () => {
    const before = plainTaken;
    fc.assert(
      fc.property(document, (xml) => {
        agree(xml);
      }),
      { numRuns: 3000, seed: 20261203 },
    );
    // Many generated documents hold values only saxes may read (references, control characters, \r), but
    // a good share are plain: the quick reader was really exercised.
    assert.ok(plainTaken - before > 400, `the quick reader took only ${plainTaken - before} of 3000 documents`);
  });

  it("agrees with saxes on mutated documents", () => {
    fc.assert(
      fc.property(document, fc.array(mutation, { minLength: 1, maxLength: 3 }), (xml, mutations) => {
        agree(mutations.reduce(mutate, xml));
      }),
      { numRuns: 5000, seed: 1203 },
    );
  });

  it("agrees with saxes at the element and depth limits", () => {
    const nested = (depth: number) => `<methodCall><methodName>a</methodName><params><param><value>${"<array><data><value>".repeat(depth)}x${"</value></data></array>".repeat(depth)}</value></param></params></methodCall>`;
    for (const maxDepth of [3, 4, 5, 6, 7, 8, 9, 12]) {
      for (const depth of [0, 1, 2, 3]) agree(nested(depth), { maxDepth, maxElements: 1000 });
    }
    const wide = `<methodCall><methodName>a</methodName><params>${"<param><value><int>1</int></value></param>".repeat(10)}</params></methodCall>`;
    for (const maxElements of [1, 2, 3, 20, 22, 23, 24, 32, 33, 34]) agree(wide, { maxDepth: 64, maxElements });
    assert.ok(agree(nested(3), { maxDepth: 13, maxElements: 1000 }));
    assert.equal(agree(nested(3), { maxDepth: 12, maxElements: 1000 }), false);
    assert.ok(agree(wide, { maxDepth: 64, maxElements: 33 }));
    assert.equal(agree(wide, { maxDepth: 64, maxElements: 32 }), false);
  });
});
