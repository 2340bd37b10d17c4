// The XML-RPC codec on its own: every value type, escaping, and hostile documents that must end in
// MalformedRequest quickly (never a hang, never entity expansion).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { encode, escapeXml, faultXml, MalformedRequest, parseMethodCall, responseXml, type XmlRpcValue } from "../../src/rpc/codec.js";
import { Fault, parseResponse } from "../support/rpc-client.js";

const call = (paramsXml: string) => `<?xml version="1.0"?><methodCall><methodName>api.test</methodName><params>${paramsXml}</params></methodCall>`;
const param = (valueXml: string) => `<param><value>${valueXml}</value></param>`;
const one = (valueXml: string): XmlRpcValue => {
  const parsed = parseMethodCall(call(param(valueXml)));
  assert.equal(parsed.params.length, 1);
  return parsed.params[0];
};

/** Asserts that parsing fails with MalformedRequest within a time bound, and returns the message. */
function refused(xml: string, message?: RegExp, withinMs = 2000): string {
  const started = performance.now();
  let error: unknown;
  try {
    parseMethodCall(xml);
  } catch (e) {
    error = e;
  }
  const elapsed = performance.now() - started;
  assert.ok(error instanceof MalformedRequest, `expected MalformedRequest, got ${String(error)}`);
  if (message) assert.match(error.message, message);
  assert.ok(elapsed < withinMs, `took ${elapsed.toFixed(0)} ms`);
  return error.message;
}

describe("XML-RPC codec: value types", () => {
  it("reads the method name and an empty parameter list", () => {
    assert.deepEqual(parseMethodCall("<methodCall><methodName> api.getTotalUsers </methodName></methodCall>"), { methodName: "api.getTotalUsers", params: [] });
    assert.deepEqual(parseMethodCall("<methodCall><methodName>api.x</methodName><params/></methodCall>").params, []);
  });

  it("reads <int>, <i4>, <i8> and <ex:i8> with sign and surrounding blanks", () => {
    assert.deepEqual(one("<int>42</int>"), { kind: "int", value: 42 });
    assert.deepEqual(one("<i4> -7 </i4>"), { kind: "int", value: -7 });
    assert.deepEqual(one("<int>+2147483647</int>"), { kind: "int", value: 2147483647 });
    assert.deepEqual(one("<int>-2147483648</int>"), { kind: "int", value: -2147483648 });
    assert.deepEqual(one("<i8>9007199254740991</i8>"), { kind: "int", value: 9007199254740991 });
    assert.deepEqual(one("<ex:i8>-5</ex:i8>"), { kind: "int", value: -5 });
  });

  it("refuses integers that are not integers or out of their type's range", () => {
    refused(call(param("<int>2147483648</int>")), /out of range/);
    refused(call(param("<i4>-2147483649</i4>")), /out of range/);
    refused(call(param("<i8>9007199254740993</i8>")), /out of range/);
    refused(call(param("<int>1.5</int>")), /not an integer/);
    refused(call(param("<int></int>")), /not an integer/);
    refused(call(param("<int>0x10</int>")), /not an integer/);
  });

  it("reads <boolean> as 0/1 (and true/false), refusing anything else", () => {
    assert.deepEqual(one("<boolean>1</boolean>"), { kind: "boolean", value: true });
    assert.deepEqual(one("<boolean>0</boolean>"), { kind: "boolean", value: false });
    assert.deepEqual(one("<boolean>true</boolean>"), { kind: "boolean", value: true });
    assert.deepEqual(one("<boolean> FALSE </boolean>"), { kind: "boolean", value: false });
    refused(call(param("<boolean>2</boolean>")), /must be 0 or 1/);
    refused(call(param("<boolean></boolean>")), /must be 0 or 1/);
  });

  it("reads typed and untyped strings verbatim, whitespace included", () => {
    assert.deepEqual(one("<string>  0012 </string>"), { kind: "string", value: "  0012 ", typed: true });
    assert.deepEqual(one("<string/>"), { kind: "string", value: "", typed: true });
    assert.deepEqual(one("plain text"), { kind: "string", value: "plain text", typed: false });
    assert.deepEqual(one(""), { kind: "string", value: "", typed: false });
    assert.deepEqual(one("  "), { kind: "string", value: "  ", typed: false });
    assert.deepEqual(one("<string>line1\nline2\ttab</string>"), { kind: "string", value: "line1\nline2\ttab", typed: true });
  });

  it("keeps the text of <double> exactly as sent (money is parsed from text, never from a float)", () => {
    assert.deepEqual(one("<double>10.01</double>"), { kind: "double", text: "10.01" });
    assert.deepEqual(one("<double> -0.1 </double>"), { kind: "double", text: "-0.1" });
    assert.deepEqual(one("<double>1e-05</double>"), { kind: "double", text: "1e-05" });
    assert.deepEqual(one("<double>5</double>"), { kind: "double", text: "5" });
    assert.deepEqual(one("<double>.5</double>"), { kind: "double", text: ".5" });
    for (const bad of ["NaN", "inf", "-Infinity", "1,5", "", "1.2.3", "0x1p3"]) refused(call(param(`<double>${bad}</double>`)), /not a number/);
  });

  it("reads <dateTime.iso8601> in the XML-RPC and dashed ISO forms and refuses other text", () => {
    assert.deepEqual(one("<dateTime.iso8601>19980717T14:08:55</dateTime.iso8601>"), { kind: "dateTime", text: "19980717T14:08:55" });
    assert.deepEqual(one("<dateTime.iso8601>2024-01-31T23:59:59Z</dateTime.iso8601>"), { kind: "dateTime", text: "2024-01-31T23:59:59Z" });
    assert.deepEqual(one("<dateTime.iso8601>20240131T235959.123+01:00</dateTime.iso8601>"), { kind: "dateTime", text: "20240131T235959.123+01:00" });
    refused(call(param("<dateTime.iso8601>yesterday</dateTime.iso8601>")), /not a date/);
    refused(call(param("<dateTime.iso8601></dateTime.iso8601>")), /not a date/);
  });

  it("decodes <base64>, line breaks included, and refuses non-base64 characters", () => {
    const value = one("<base64>aGVs\nbG8g\r\nd29y bGQ=</base64>");
    assert.equal(value.kind, "base64");
    assert.equal(value.kind === "base64" && value.value.toString("utf8"), "hello world");
    const empty = one("<base64></base64>");
    assert.equal(empty.kind === "base64" && empty.value.length, 0);
    refused(call(param("<base64>not*base64</base64>")), /base64/);
  });

  it("reads <nil/> and <ex:nil/>, and refuses text inside nil", () => {
    assert.deepEqual(one("<nil/>"), { kind: "nil" });
    assert.deepEqual(one("<ex:nil/>"), { kind: "nil" });
    refused(call(param("<nil>x</nil>")), /must be empty/);
  });

  it("reads nested structs and arrays with typed and untyped members", () => {
    const value = one(
      "<struct><member><name>a</name><value><int>1</int></value></member>" +
        "<member><name>list</name><value><array><data><value>x</value><value><string>y</string></value>" +
        "<value><array><data><value><boolean>1</boolean></value></data></array></value></data></array></value></member>" +
        "<member><name>empty</name><value><struct></struct></value></member></struct>",
    );
    assert.equal(value.kind, "struct");
    if (value.kind !== "struct") return;
    assert.deepEqual([...value.members.keys()], ["a", "list", "empty"]);
    assert.deepEqual(value.members.get("a"), { kind: "int", value: 1 });
    assert.deepEqual(value.members.get("list"), {
      kind: "array",
      items: [
        { kind: "string", value: "x", typed: false },
        { kind: "string", value: "y", typed: true },
        { kind: "array", items: [{ kind: "boolean", value: true }] },
      ],
    });
    assert.deepEqual(value.members.get("empty"), { kind: "struct", members: new Map() });
    assert.deepEqual(one("<array><data/></array>"), { kind: "array", items: [] });
  });

  it("accepts pretty-printed documents: whitespace between elements and around typed values", () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<methodCall>
  <methodName>api.x</methodName>
  <params>
    <param>
      <value>
        <array>
          <data>
            <value><string>a</string></value>
          </data>
        </array>
      </value>
    </param>
  </params>
</methodCall>
`;
    assert.deepEqual(parseMethodCall(xml).params, [{ kind: "array", items: [{ kind: "string", value: "a", typed: true }] }]);
  });

  it("reads several parameters in order", () => {
    const parsed = parseMethodCall(call(param("<string>tok</string>") + param("bob") + param("<double>1.5</double>") + param("<int>3</int>")));
    assert.deepEqual(
      parsed.params.map((p) => p.kind),
      ["string", "string", "double", "int"],
    );
  });
});

describe("XML-RPC codec: escaping", () => {
  const tricky = ["a & b", "<tag>", "x > y", "quote \" and ' apostrophe", "tab\tnewline\n", "üñíçødé ✓ 𝄞", "]]>", "&amp; literally", "back\\slash"];

  it("round-trips escaped text through a request", () => {
    for (const text of tricky) {
      assert.deepEqual(one(`<string>${escapeXml(text)}</string>`), { kind: "string", value: text, typed: true }, text);
      assert.deepEqual(one(escapeXml(text)), { kind: "string", value: text, typed: false }, text);
    }
  });

  it("reads character references, predefined entities and CDATA", () => {
    assert.deepEqual(one("&#65;&#x42;&amp;&lt;&gt;&quot;&apos;"), { kind: "string", value: "AB&<>\"'", typed: false });
    assert.deepEqual(one("<string><![CDATA[<x> & y]]></string>"), { kind: "string", value: "<x> & y", typed: true });
    assert.deepEqual(one("<string>a<!-- comment -->b</string>"), { kind: "string", value: "ab", typed: true });
  });

  it("writes responses that a standard client reads back exactly", async () => {
    for (const text of [...tricky, "carriage\r\nreturn"]) {
      assert.equal(await parseResponse(responseXml(encode.string(text))), text, text);
    }
    assert.deepEqual(await parseResponse(responseXml(encode.stringArray(tricky))), tricky);
    assert.deepEqual(
      await parseResponse(responseXml(encode.struct([["a&b", encode.int(7)], ["ok", encode.boolean(true)], ["amount", encode.double("10.0")]]))),
      { "a&b": 7, ok: true, amount: 10 },
    );
  });

  it("drops characters XML 1.0 cannot carry instead of writing an unreadable response", async () => {
    assert.equal(escapeXml("a\u0000b\u0007c\uFFFEd"), "abcd");
    assert.equal(await parseResponse(responseXml(encode.string("bell\u0007"))), "bell");
  });

  it("writes faults with an int code and an escaped string", async () => {
    await assert.rejects(parseResponse(faultXml(-1, "bad <name> & more")), (error: unknown) => {
      assert.ok(error instanceof Fault);
      assert.equal(error.faultCode, -1);
      assert.equal(error.faultString, "bad <name> & more");
      return true;
    });
  });

  it("writes <double> from decimal text and booleans as 0/1", () => {
    assert.equal(encode.double("10.0"), "<double>10.0</double>");
    assert.equal(encode.boolean(false), "<boolean>0</boolean>");
    assert.equal(encode.int(2147483647), "<int>2147483647</int>");
  });
});

describe("XML-RPC codec: hostile and malformed documents", () => {
  it("refuses billion laughs without expanding anything", () => {
    const entities = Array.from({ length: 10 }, (_, i) => (i === 0 ? '<!ENTITY lol0 "lol">' : `<!ENTITY lol${i} "${`&lol${i - 1};`.repeat(10)}">`)).join("");
    refused(`<?xml version="1.0"?><!DOCTYPE lolz [${entities}]><methodCall><methodName>&lol9;</methodName></methodCall>`, /DOCTYPE/, 200);
  });

  it("refuses an external entity (XXE) and any DOCTYPE", () => {
    refused(`<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><methodCall><methodName>&xxe;</methodName></methodCall>`, /DOCTYPE/);
    refused(`<!DOCTYPE methodCall SYSTEM "http://127.0.0.1:1/evil.dtd"><methodCall><methodName>a</methodName></methodCall>`, /DOCTYPE/);
    refused(`<!DOCTYPE methodCall><methodCall><methodName>a</methodName></methodCall>`, /DOCTYPE/);
  });

  it("refuses undeclared entities", () => {
    refused(call(param("&xxe;")), /entity/);
  });

  it("refuses 100,000-deep nesting quickly", () => {
    const depth = 100_000;
    refused(call(param("<array><data><value>".repeat(depth) + "</value></data></array>".repeat(depth))), /nesting is deeper/, 1000);
    refused("<a>".repeat(depth), /not allowed/, 1000);
  });

  it("refuses more elements than the limit", () => {
    const xml = call(param(`<array><data>${"<value>1</value>".repeat(200)}</data></array>`));
    assert.throws(() => parseMethodCall(xml, { maxDepth: 64, maxElements: 100 }), /more than 100 elements/);
  });

  it("refuses truncated and empty documents", () => {
    refused(call(param("<string>abc")), /Malformed XML/);
    refused("<methodCall><methodName>api.x</methodName><params>", /Malformed XML/);
    refused("<methodCall><methodName>api.x", /Malformed XML/);
    refused("", /root/);
    refused("   ", /root/);
  });

  it("refuses two roots, text outside the root and the wrong root", () => {
    refused("<methodCall><methodName>a</methodName></methodCall><methodCall><methodName>b</methodName></methodCall>", /root/);
    refused("<methodCall><methodName>a</methodName></methodCall>junk", /outside of root/);
    refused("<methodResponse><params/></methodResponse>", /not allowed inside <document>/);
  });

  it("refuses text in the wrong places", () => {
    refused("<methodCall>junk<methodName>a</methodName></methodCall>", /Unexpected text inside <methodCall>/);
    refused(call("junk"), /Unexpected text inside <params>/);
    refused(call("<param>junk<value>1</value></param>"), /Unexpected text inside <param>/);
    refused(call(param("<struct>junk</struct>")), /Unexpected text inside <struct>/);
    refused(call(param("<array><data>junk</data></array>")), /Unexpected text inside <data>/);
    refused(call(param("<array>junk<data/></array>")), /Unexpected text inside <array>/);
    refused(call(param("<string>x</string>junk")), /mixes text/);
    refused(call(param("junk<string>x</string>")), /mixes text/);
    refused(call("<![CDATA[junk]]>"), /Unexpected text/);
  });

  it("refuses elements in the wrong places and broken structure", () => {
    refused(call(param("<string>x<b/></string>")), /not allowed inside <string>/);
    refused(call(param("<int>1</int><int>2</int>")), /more than one value/);
    refused(call(param("<foo>1</foo>")), /not allowed inside <value>/);
    refused(call("<param></param>"), /has no <value>/);
    refused(call("<param><value>1</value><value>2</value></param>"), /more than one <value>/);
    refused("<methodCall><methodName>a</methodName><methodName>b</methodName></methodCall>", /more than one <methodName>/);
    refused("<methodCall><methodName>a</methodName><params/><params/></methodCall>", /more than one <params>/);
    refused("<methodCall><params/></methodCall>", /no <methodName>/);
    refused("<methodCall><methodName> </methodName></methodCall>", /no <methodName>/);
    refused(call(param("<struct><member><value>1</value></member></struct>")), /needs a <name> and a <value>/);
    refused(call(param("<struct><member><name>a</name></member></struct>")), /needs a <name> and a <value>/);
    refused(call(param("<struct><member><name>a</name><name>b</name><value>1</value></member></struct>")), /more than one <name>/);
    refused(call(param("<struct><member><name>a</name><value>1</value><value>2</value></member></struct>")), /more than one <value>/);
  });

  it("refuses processing instructions and bad character references", () => {
    refused("<methodCall><?php echo 1; ?><methodName>a</methodName></methodCall>", /Processing instructions/);
    refused(call(param("&#0;")), /Malformed XML/);
    refused(call(param("<string>a < b</string>")), /Malformed XML/);
  });

  it("survives a fuzzed mix of fragments: every outcome is a parse or a MalformedRequest", () => {
    const fragments = ["<methodCall>", "</methodCall>", "<methodName>", "</methodName>", "api.x", "<params>", "</params>", "<param>", "</param>", "<value>", "</value>", "<int>1</int>", "<struct>", "</struct>", "<member>", "</member>", "<name>n</name>", "<array>", "</array>", "<data>", "</data>", "&amp;", "&bogus;", "<!DOCTYPE x>", "]]>", "<![CDATA[c]]>", "<", ">", "text"];
    let seed = 12345;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 1000; i++) {
      const parts = Array.from({ length: 1 + (next() % 24) }, () => fragments[next() % fragments.length]);
      try {
        parseMethodCall(parts.join(""));
      } catch (error) {
        assert.ok(error instanceof MalformedRequest, `${parts.join("")} threw ${String(error)}`);
      }
    }
  });
});
