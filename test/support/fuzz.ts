// Property-based fuzzing of the XML-RPC codec and the dispatcher: generated and mutated requests, checked
// to end in a well-formed result or fault within a deadline. The default run and the long run share this
// code and differ only in the number of cases.
import assert from "node:assert/strict";
import fc from "fast-check";
import { MalformedRequest, parseMethodCall } from "../../src/rpc/codec.js";
import type { Dispatcher } from "../../src/rpc/dispatcher.js";
import type { MethodDefinition, Param } from "../../src/rpc/method-table.js";
import { Fault, parseResponse, postRaw } from "./rpc-client.js";
import { withDeadline } from "./wait.js";

export const CASE_DEADLINE_MS = 5_000;

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** XML-RPC <value> elements of every type, nested a little, with edge values. */
export function valueXml(token: string): fc.Arbitrary<string> {
  const { value } = fc.letrec<{ value: string; scalar: string }>((tie) => ({
    scalar: fc.oneof(
      fc.constant(`<string>${token}</string>`),
      fc.string({ maxLength: 40 }).map((s) => `<string>${escape(s)}</string>`),
      fc.string({ unit: "binary", maxLength: 40 }).map((s) => `<string>${escape(s)}</string>`),
      fc.string({ maxLength: 20 }).map((s) => escape(s)),
      fc.oneof(fc.integer(), fc.constantFrom(2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER)).map((n) => `<int>${n}</int>`),
      fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((n) => `<i8>${n}</i8>`),
      fc.oneof(
        fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
        fc.constantFrom("1e308", "-1e-400", "9007199254740993.5", "4503599627.370496", "-0", ".5", "5.", "1e21", "NaN", "Infinity", ""),
      ).map((d) => `<double>${d}</double>`),
      fc.constantFrom("0", "1", "true", "false", "2", "yes", "").map((b) => `<boolean>${b}</boolean>`),
      fc.constantFrom("<nil/>", "<ex:nil/>", "<dateTime.iso8601>20260101T00:00:00</dateTime.iso8601>", "<base64>aGVsbG8=</base64>", "<base64>***</base64>"),
    ),
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      tie("scalar"),
      fc.array(tie("value"), { maxLength: 4 }).map((items) => `<array><data>${items.map((i) => `<value>${i}</value>`).join("")}</data></array>`),
      fc
        .array(fc.tuple(fc.string({ maxLength: 10 }), tie("value")), { maxLength: 3 })
        .map((ms) => `<struct>${ms.map(([n, v]) => `<member><name>${escape(n)}</name><value>${v}</value></member>`).join("")}</struct>`),
    ),
  }));
  return value;
}

/** Well-formed method calls: a real or made-up method name, the token (or not), and arbitrary arguments. */
export function methodCallArb(methodNames: readonly string[], token: string): fc.Arbitrary<string> {
  const name = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...methodNames) }, { weight: 1, arbitrary: fc.string({ maxLength: 30 }).map(escape) });
  const first = fc.oneof({ weight: 4, arbitrary: fc.constant(`<string>${token}</string>`) }, { weight: 1, arbitrary: valueXml(token) });
  return fc
    .tuple(name, fc.boolean(), first, fc.array(valueXml(token), { maxLength: 7 }))
    .map(([n, withToken, t, rest]) => {
      const params = (withToken ? [t, ...rest] : rest).map((v) => `<param><value>${v}</value></param>`).join("");
      return `<?xml version="1.0"?><methodCall><methodName>${n}</methodName><params>${params}</params></methodCall>`;
    });
}

const textArb = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom("fuzzy", "nobody", "", " fuzzy ", "Lab", "card-1", "site.colour", "balance", "restricted", "full-name", "1", "-1", "true") },
  { weight: 2, arbitrary: fc.string({ maxLength: 30 }) },
  { weight: 1, arbitrary: fc.string({ unit: "grapheme", maxLength: 30 }) },
);

function argXml(param: Param): fc.Arbitrary<string> {
  switch (param.kind) {
    case "string":
      return textArb.map((s) => `<string>${escape(s)}</string>`);
    case "int":
      return fc.oneof(fc.integer({ min: -5, max: 100_000 }), fc.integer()).map((n) => `<int>${n}</int>`);
    case "money":
      return fc
        .oneof(
          fc.integer({ min: -10_000, max: 10_000 }).map((c) => (c / 100).toFixed(2)),
          fc.constantFrom("0", "4503599627.370495", "-4503599627.370495", "4503599627.370496", "1e-7", "0.0000005", "123456789012345678901234567890"),
        )
        .map((d) => `<double>${d}</double>`);
    case "boolean":
      return fc.constantFrom("<boolean>1</boolean>", "<boolean>0</boolean>", "<int>1</int>");
    case "strings":
      return fc.array(textArb, { maxLength: 5 }).map((items) => `<array><data>${items.map((i) => `<value>${escape(i)}</value>`).join("")}</data></array>`);
    case "pairs":
      return fc
        .array(fc.tuple(textArb, textArb), { maxLength: 4 })
        .map((ps) => `<array><data>${ps.map(([n, v]) => `<value><array><data><value>${escape(n)}</value><value>${escape(v)}</value></data></array></value>`).join("")}</data></array>`);
  }
}

/** Calls that match a method's signature (optional arguments sometimes left out), to reach the services. */
export function typedCallArb(methods: readonly MethodDefinition[], token: string): fc.Arbitrary<string> {
  return fc.constantFrom(...methods).chain((def) =>
    fc.tuple(...def.params.map((p) => argXml(p)), fc.nat({ max: def.params.length })).map((parts) => {
      const drop = parts.pop() as number;
      const args = (parts as string[]).filter((_, i) => !def.params[i].optional || i < def.params.length - drop);
      const all = def.needsToken ? [`<string>${token}</string>`, ...args] : args;
      const params = all.map((v) => `<param><value>${v}</value></param>`).join("");
      return `<?xml version="1.0"?><methodCall><methodName>${def.name}</methodName><params>${params}</params></methodCall>`;
    }),
  );
}

/** A valid call broken in one or more places: cut, duplicated, spliced with junk, truncated. */
export function mutatedCallArb(methodNames: readonly string[], token: string): fc.Arbitrary<string> {
  const junk = fc.oneof(
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.constantFrom("<", ">", "&", "&amp;", "&lt", "]]>", "<![CDATA[", "<!--", "<?pi?>", "<!DOCTYPE x>", "&#0;", "&#xD800;", "</value>", "<value>", "<struct>", "\u0000", "\uFFFE"),
  );
  const op = fc.oneof(
    fc.tuple(fc.constant("delete" as const), fc.nat(), fc.nat({ max: 20 }), fc.constant("")),
    fc.tuple(fc.constant("insert" as const), fc.nat(), fc.constant(0), junk),
    fc.tuple(fc.constant("duplicate" as const), fc.nat(), fc.nat({ max: 40 }), fc.constant("")),
    fc.tuple(fc.constant("truncate" as const), fc.nat(), fc.constant(0), fc.constant("")),
  );
  return fc.tuple(methodCallArb(methodNames, token), fc.array(op, { minLength: 1, maxLength: 4 })).map(([xml, ops]) => {
    let out = xml;
    for (const [kind, at, len, text] of ops) {
      const i = out.length === 0 ? 0 : at % out.length;
      if (kind === "delete") out = out.slice(0, i) + out.slice(i + len);
      else if (kind === "insert") out = out.slice(0, i) + text + out.slice(i);
      else if (kind === "duplicate") out = out.slice(0, i + len) + out.slice(i, i + len) + out.slice(i + len);
      else out = out.slice(0, i);
    }
    return out;
  });
}

export function requestBodyArb(methods: readonly MethodDefinition[], token: string): fc.Arbitrary<string> {
  const methodNames = methods.map((m) => m.name);
  return fc.oneof(
    { weight: 4, arbitrary: typedCallArb(methods, token) },
    { weight: 3, arbitrary: methodCallArb(methodNames, token) },
    { weight: 3, arbitrary: mutatedCallArb(methodNames, token) },
    { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
  );
}

/** A response is a well-formed XML-RPC result or fault; returns the fault code (undefined for a result). */
export async function assertWellFormedResponse(xml: string, request: string): Promise<number | undefined> {
  try {
    await parseResponse(xml);
    return undefined;
  } catch (error) {
    if (error instanceof Fault) {
      assert.equal(typeof error.faultCode, "number");
      assert.notEqual(error.faultCode, 500, `internal error for request ${JSON.stringify(request.slice(0, 500))}: ${error.faultString}`);
      return error.faultCode;
    }
    assert.fail(`malformed response ${JSON.stringify(xml.slice(0, 300))} to ${JSON.stringify(request.slice(0, 300))}: ${String(error)}`);
  }
}

export function fuzzCodec(numRuns: number, methods: readonly MethodDefinition[], token: string): void {
  fc.assert(
    fc.property(requestBodyArb(methods, token), (body) => {
      const started = performance.now();
      try {
        const call = parseMethodCall(body);
        assert.equal(typeof call.methodName, "string");
        assert.ok(Array.isArray(call.params));
      } catch (error) {
        if (!(error instanceof MalformedRequest)) throw error;
      }
      assert.ok(performance.now() - started < CASE_DEADLINE_MS);
    }),
    { numRuns },
  );
}

export async function fuzzDispatcher(numRuns: number, dispatcher: Dispatcher, token: string): Promise<void> {
  await fc.assert(
    fc.asyncProperty(requestBodyArb(dispatcher.methods, token), async (body) => {
      const outcome = await withDeadline(dispatcher.dispatch(body, "127.0.0.1"), CASE_DEADLINE_MS, "dispatch");
      await assertWellFormedResponse(outcome.xml, body);
    }),
    { numRuns },
  );
}

const CONTENT_TYPES = ["text/xml", "text/xml; charset=utf-8", "application/xml", "text/plain", "application/json", "multipart/form-data; boundary=x", "application/octet-stream"];

export async function fuzzHttp(numRuns: number, url: string, methods: readonly MethodDefinition[], token: string): Promise<void> {
  const body = fc.oneof(
    { weight: 4, arbitrary: requestBodyArb(methods, token).map((s) => Buffer.from(s, "utf8")) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)) },
  );
  await fc.assert(
    fc.asyncProperty(body, fc.constantFrom(...CONTENT_TYPES), async (bytes, contentType) => {
      const res = await withDeadline(postRaw(url, bytes, { headers: { "Content-Type": contentType }, signal: AbortSignal.timeout(CASE_DEADLINE_MS) }), CASE_DEADLINE_MS, "request");
      if (res.status === 415) {
        assert.ok(!/xml|text\/plain/.test(contentType), `415 for ${contentType}`);
        return;
      }
      assert.equal(res.status, 200, res.body);
      assert.match(String(res.headers["content-type"]), /^text\/xml/);
      await assertWellFormedResponse(res.body, bytes.toString("latin1"));
    }),
    { numRuns },
  );
}
