// The XML-RPC codec: a strict request parser on saxes (no DTDs, no entity expansion, size and depth
// limits) and a response writer that emits exactly the XML-RPC types the method table declares.
import { SaxesParser } from "saxes";

export type XmlRpcValue =
  | { kind: "int"; value: number }
  | { kind: "boolean"; value: boolean }
  | { kind: "string"; value: string; typed: boolean }
  | { kind: "double"; text: string }
  | { kind: "dateTime"; text: string }
  | { kind: "base64"; value: Buffer }
  | { kind: "nil" }
  | { kind: "array"; items: XmlRpcValue[] }
  | { kind: "struct"; members: Map<string, XmlRpcValue> };

export interface MethodCall {
  methodName: string;
  params: XmlRpcValue[];
}

export interface CodecLimits {
  maxDepth: number;
  maxElements: number;
}

export const DEFAULT_LIMITS: CodecLimits = { maxDepth: 64, maxElements: 500_000 };

/** A request that is not well-formed XML-RPC. The message says what is wrong. */
export class MalformedRequest extends Error {}

const SCALARS = new Set(["int", "i4", "i8", "ex:i8", "boolean", "string", "double", "dateTime.iso8601", "base64", "nil", "ex:nil"]);
const CHILDREN: Record<string, Set<string>> = {
  "": new Set(["methodCall"]),
  methodCall: new Set(["methodName", "params"]),
  params: new Set(["param"]),
  param: new Set(["value"]),
  value: new Set([...SCALARS, "struct", "array"]),
  struct: new Set(["member"]),
  member: new Set(["name", "value"]),
  array: new Set(["data"]),
  data: new Set(["value"]),
};
const TEXT_ELEMENTS = new Set([...SCALARS, "methodName", "name", "value"]);

interface ValueFrame {
  typedValue?: XmlRpcValue;
  /** Non-blank text seen directly inside the <value>, which is only allowed when it holds no typed element. */
  hasText: boolean;
}
interface ArrayFrame {
  items: XmlRpcValue[];
}
interface MemberFrame {
  name?: string;
  value?: XmlRpcValue;
}

const INT_TEXT = /^[+-]?\d+$/;
const DOUBLE_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BASE64_TEXT = /^[A-Za-z0-9+/=\s]*$/;
// XML-RPC's 19980717T14:08:55, plus the dashed ISO 8601 form, optional fraction and zone that other clients send.
const DATETIME_TEXT = /^\d{4}-?\d{2}-?\d{2}T\d{2}:?\d{2}:?\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses a methodCall document. Throws MalformedRequest on anything that is not valid XML-RPC. */
export function parseMethodCall(xml: string, limits: CodecLimits = DEFAULT_LIMITS): MethodCall {
  const parser = new SaxesParser({ position: false });
  const elements: string[] = [];
  const values: ValueFrame[] = [];
  const arrays: ArrayFrame[] = [];
  const structs: Array<Map<string, XmlRpcValue>> = [];
  const members: MemberFrame[] = [];
  const params: XmlRpcValue[] = [];
  let methodName: string | undefined;
  let text = "";
  let count = 0;
  let sawRoot = false;
  let sawParams = false;
  /** Values seen in the open <param>: exactly one is allowed. */
  let paramValues = 0;

  const fail = (message: string): never => {
    throw new MalformedRequest(message);
  };

  parser.on("error", (err) => fail(`Malformed XML: ${err.message}`));
  parser.on("doctype", () => fail("DOCTYPE declarations are not allowed in XML-RPC requests."));
  parser.on("processinginstruction", () => fail("Processing instructions are not allowed in XML-RPC requests."));
  const onText = (data: string) => {
    const parent = elements[elements.length - 1] ?? "";
    if (TEXT_ELEMENTS.has(parent)) {
      text += data;
      if (parent === "value" && data.trim() !== "") {
        const frame = values[values.length - 1];
        if (frame.typedValue) fail("A <value> mixes text with a typed value.");
        frame.hasText = true;
      }
    } else if (data.trim() !== "") fail(`Unexpected text inside <${parent || "document"}>.`);
  };
  parser.on("cdata", onText);
  parser.on("text", onText);
  parser.on("opentag", (tag) => {
    const name = tag.name;
    const parent = elements[elements.length - 1] ?? "";
    if (++count > limits.maxElements) fail(`Request has more than ${limits.maxElements} elements.`);
    if (elements.length >= limits.maxDepth) fail(`Request nesting is deeper than ${limits.maxDepth} levels.`);
    if (parent === "" && sawRoot) fail("More than one root element.");
    sawRoot = true;
    const allowed = CHILDREN[parent];
    if (!allowed || !allowed.has(name)) fail(`Element <${name}> is not allowed inside <${parent || "document"}>.`);
    if (parent === "value") {
      const frame = values[values.length - 1];
      if (frame.typedValue) fail("A <value> holds more than one value.");
      if (frame.hasText) fail("A <value> mixes text with a typed value.");
    }
    if (name === "params") {
      if (sawParams) fail("The request has more than one <params>.");
      sawParams = true;
    }
    if (name === "param") paramValues = 0;
    elements.push(name);
    text = "";
    switch (name) {
      case "value":
        values.push({ hasText: false });
        break;
      case "array":
        arrays.push({ items: [] });
        break;
      case "struct":
        structs.push(new Map());
        break;
      case "member":
        members.push({});
        break;
    }
  });
  parser.on("closetag", (tag) => {
    const name = tag.name;
    elements.pop();
    const parent = elements[elements.length - 1] ?? "";
    if (SCALARS.has(name)) {
      const frame = values[values.length - 1];
      if (frame.typedValue) fail("A <value> holds more than one value.");
      frame.typedValue = scalar(name, text, fail);
      text = "";
      return;
    }
    switch (name) {
      case "methodName":
        if (methodName !== undefined) fail("The request has more than one <methodName>.");
        methodName = text.trim();
        break;
      case "name": {
        const member = members[members.length - 1];
        if (member.name !== undefined) fail("A <member> has more than one <name>.");
        member.name = text;
        break;
      }
      case "array": {
        const frame = arrays.pop()!;
        setTyped({ kind: "array", items: frame.items });
        break;
      }
      case "struct": {
        const map = structs.pop()!;
        setTyped({ kind: "struct", members: map });
        break;
      }
      case "member": {
        const member = members.pop()!;
        if (member.name === undefined || member.value === undefined) fail("A <member> needs a <name> and a <value>.");
        structs[structs.length - 1].set(member.name!, member.value!);
        break;
      }
      case "value": {
        const frame = values.pop()!;
        const value: XmlRpcValue = frame.typedValue ?? { kind: "string", value: text, typed: false };
        if (parent === "param") {
          if (++paramValues > 1) fail("A <param> holds more than one <value>.");
          params.push(value);
        }
        else if (parent === "data") arrays[arrays.length - 1].items.push(value);
        else if (parent === "member") {
          const member = members[members.length - 1];
          if (member.value !== undefined) fail("A <member> has more than one <value>.");
          member.value = value;
        }
        break;
      }
      case "param":
        if (paramValues === 0) fail("A <param> has no <value>.");
        break;
    }
    text = "";
  });

  function setTyped(value: XmlRpcValue): void {
    const frame = values[values.length - 1];
    if (frame.typedValue) fail("A <value> holds more than one value.");
    frame.typedValue = value;
  }

  parser.write(xml).close();
  if (!sawRoot) fail("Empty request.");
  if (methodName === undefined || methodName === "") fail("The request has no <methodName>.");
  return { methodName: methodName!, params };
}

function scalar(name: string, text: string, fail: (m: string) => never): XmlRpcValue {
  switch (name) {
    case "int":
    case "i4":
    case "i8":
    case "ex:i8": {
      const t = text.trim();
      if (!INT_TEXT.test(t)) fail(`<${name}> holds "${clip(t)}", which is not an integer.`);
      const value = Number(t);
      const limit = name === "int" || name === "i4" ? 2 ** 31 : 2 ** 53;
      if (!Number.isSafeInteger(value) || value >= limit || value < -limit) fail(`<${name}> value ${clip(t)} is out of range.`);
      return { kind: "int", value };
    }
    case "boolean": {
      const t = text.trim();
      if (t === "1" || t.toLowerCase() === "true") return { kind: "boolean", value: true };
      if (t === "0" || t.toLowerCase() === "false") return { kind: "boolean", value: false };
      return fail(`<boolean> holds "${clip(t)}"; it must be 0 or 1.`);
    }
    case "string":
      return { kind: "string", value: text, typed: true };
    case "double": {
      const t = text.trim();
      if (!DOUBLE_TEXT.test(t)) fail(`<double> holds "${clip(t)}", which is not a number.`);
      return { kind: "double", text: t };
    }
    case "dateTime.iso8601": {
      const t = text.trim();
      if (!DATETIME_TEXT.test(t)) fail(`<dateTime.iso8601> holds "${clip(t)}", which is not a date and time like 20240131T14:08:55.`);
      return { kind: "dateTime", text: t };
    }
    case "base64":
      if (!BASE64_TEXT.test(text)) fail("<base64> holds characters outside base64.");
      return { kind: "base64", value: Buffer.from(text.replace(/\s+/g, ""), "base64") };
    default:
      if (text.trim() !== "") fail("<nil/> must be empty.");
      return { kind: "nil" };
  }
}

function clip(text: string): string {
  return text.length > 40 ? text.slice(0, 40) + "…" : text;
}

// ---------------------------------------------------------------------------------------------
// Response writing

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;" };
const NEEDS_ESCAPE = /[&<>\r]/;
const ESCAPE_ALL = /[&<>\r]/g;
// Characters XML 1.0 cannot carry at all; they are dropped rather than producing an unreadable response.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVALID_XML_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

// One test for both kinds of work: most text (usernames, property values) needs none.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const NEEDS_WORK = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF&<>\r]/;

export function escapeXml(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  const out = text.replace(INVALID_XML_CHARS, "");
  return NEEDS_ESCAPE.test(out) ? out.replace(ESCAPE_ALL, (c) => ESCAPES[c]) : out;
}

const HEAD = '<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value>';
const TAIL = "</value></param></params></methodResponse>";

/** A response whose single value is already XML (the inside of <value>). */
export function responseXml(valueXml: string): string {
  return HEAD + valueXml + TAIL;
}

export function faultXml(code: number, message: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><methodResponse><fault><value><struct>' +
    `<member><name>faultCode</name><value><int>${code | 0}</int></value></member>` +
    `<member><name>faultString</name><value><string>${escapeXml(message)}</string></value></member>` +
    "</struct></value></fault></methodResponse>"
  );
}

export const encode = {
  boolean: (v: boolean) => (v ? "<boolean>1</boolean>" : "<boolean>0</boolean>"),
  int: (v: number) => `<int>${v | 0}</int>`,
  /** `text` is decimal text produced by formatMoney, never a float. */
  double: (text: string) => `<double>${text}</double>`,
  string: (v: string) => `<string>${escapeXml(v)}</string>`,
  /** Strings in arrays are written untyped: valid XML-RPC read as strings by every client, and much smaller. */
  stringArray(items: readonly string[]): string {
    let out = "<array><data>";
    for (const item of items) out += "<value>" + escapeXml(item) + "</value>";
    return out + "</data></array>";
  },
  /** members: [name, already-encoded value XML]. */
  struct(members: ReadonlyArray<readonly [string, string]>): string {
    let out = "<struct>";
    for (const [name, value] of members) out += `<member><name>${escapeXml(name)}</name><value>${value}</value></member>`;
    return out + "</struct>";
  },
};
