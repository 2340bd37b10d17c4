// The XML-RPC codec: a strict request parser on saxes (no DTDs, no entity expansion, size and depth
// limits) and a response writer that emits exactly the XML-RPC types the method table declares.
import { SaxesParser } from "saxes";
import { readPlainCall } from "./plain-call.js";

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
  "": new Set(["methodCall", "methodResponse"]),
  methodCall: new Set(["methodName", "params"]),
  methodResponse: new Set(["params", "fault"]),
  fault: new Set(["value"]),
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
  // The plain shape clients send is read in one quick pass; saxes reads everything else.
  return parsePlainMethodCall(xml, limits) ?? parseMethodCallWithSaxes(xml, limits);
}

/** The quick reader alone (plain-call.ts): the call, or undefined where it leaves the document to saxes. */
export function parsePlainMethodCall(xml: string, limits: CodecLimits = DEFAULT_LIMITS): MethodCall | undefined {
  return readPlainCall(xml, limits, plainScalar);
}

/** The saxes reader alone: the judge of every document the quick reader declines, and its reference in tests. */
export function parseMethodCallWithSaxes(xml: string, limits: CodecLimits = DEFAULT_LIMITS): MethodCall {
  const doc = parseDocument(xml, limits, "methodCall");
  if (doc.methodName === undefined || doc.methodName === "") throw new MalformedRequest("The request has no <methodName>.");
  return { methodName: doc.methodName, params: doc.params };
}

/** A methodResponse: the single result value, or the fault. */
export type MethodResponse = { kind: "value"; value: XmlRpcValue } | { kind: "fault"; faultCode: number; faultString: string };

/** Parses a methodResponse document (used by our own clients, e.g. server-command). */
export function parseMethodResponse(xml: string, limits: CodecLimits = DEFAULT_LIMITS): MethodResponse {
  const doc = parseDocument(xml, limits, "methodResponse");
  if (doc.fault) {
    const members = doc.fault.kind === "struct" ? doc.fault.members : new Map<string, XmlRpcValue>();
    const code = members.get("faultCode");
    const text = members.get("faultString");
    return {
      kind: "fault",
      faultCode: code?.kind === "int" ? code.value : 0,
      faultString: text?.kind === "string" ? text.value : "",
    };
  }
  if (doc.params.length !== 1) throw new MalformedRequest(`A response holds ${doc.params.length} values instead of one.`);
  return { kind: "value", value: doc.params[0] };
}

interface ParsedDocument {
  methodName?: string;
  params: XmlRpcValue[];
  fault?: XmlRpcValue;
}

const fail = (message: string): never => {
  throw new MalformedRequest(message);
};

/**
 * The state of one document being parsed, with the saxes handlers as methods. One instance (and its
 * saxes parser) is reused from request to request — parsing is synchronous, so they never overlap —
 * and replaced after a document that failed half-way.
 */
class DocumentParser {
  readonly parser = new SaxesParser({ position: false });
  limits: CodecLimits = DEFAULT_LIMITS;
  rootName = "";
  elements: string[] = [];
  values: ValueFrame[] = [];
  arrays: ArrayFrame[] = [];
  structs: Array<Map<string, XmlRpcValue>> = [];
  members: MemberFrame[] = [];
  params: XmlRpcValue[] = [];
  methodName: string | undefined;
  fault: XmlRpcValue | undefined;
  text = "";
  count = 0;
  sawRoot = false;
  sawParams = false;
  /** Values seen in the open <param>: exactly one is allowed. */
  paramValues = 0;

  constructor() {
    const parser = this.parser;
    parser.on("error", (err) => fail(`Malformed XML: ${err.message}`));
    parser.on("doctype", () => fail("DOCTYPE declarations are not allowed in XML-RPC requests."));
    parser.on("processinginstruction", () => fail("Processing instructions are not allowed in XML-RPC requests."));
    const onText = (data: string) => this.onText(data);
    parser.on("cdata", onText);
    parser.on("text", onText);
    parser.on("opentag", (tag) => this.onOpen(tag.name));
    parser.on("closetag", (tag) => this.onClose(tag.name));
  }

  parse(xml: string, limits: CodecLimits, rootName: string): ParsedDocument {
    this.limits = limits;
    this.rootName = rootName;
    this.elements = [];
    this.values = [];
    this.arrays = [];
    this.structs = [];
    this.members = [];
    this.params = [];
    this.methodName = undefined;
    this.fault = undefined;
    this.text = "";
    this.count = 0;
    this.sawRoot = false;
    this.sawParams = false;
    this.paramValues = 0;
    // close() checks the document is complete and resets saxes for the next one.
    this.parser.write(xml).close();
    if (!this.sawRoot) fail("Empty request.");
    return { methodName: this.methodName, params: this.params, fault: this.fault };
  }

  private onText(data: string): void {
    const elements = this.elements;
    const parent = elements.length > 0 ? elements[elements.length - 1] : "";
    if (TEXT_ELEMENTS.has(parent)) {
      this.text += data;
      if (parent === "value" && data.trim() !== "") {
        const frame = this.values[this.values.length - 1];
        if (frame.typedValue) fail("A <value> mixes text with a typed value.");
        frame.hasText = true;
      }
    } else if (data.trim() !== "") fail(`Unexpected text inside <${parent || "document"}>.`);
  }

  private onOpen(name: string): void {
    const elements = this.elements;
    const parent = elements.length > 0 ? elements[elements.length - 1] : "";
    const limits = this.limits;
    if (++this.count > limits.maxElements) fail(`Request has more than ${limits.maxElements} elements.`);
    if (elements.length >= limits.maxDepth) fail(`Request nesting is deeper than ${limits.maxDepth} levels.`);
    if (parent === "" && this.sawRoot) fail("More than one root element.");
    this.sawRoot = true;
    const allowed = CHILDREN[parent];
    if (!allowed || !allowed.has(name) || (parent === "" && name !== this.rootName)) fail(`Element <${name}> is not allowed inside <${parent || "document"}>.`);
    if (parent === "value") {
      const frame = this.values[this.values.length - 1];
      if (frame.typedValue) fail("A <value> holds more than one value.");
      if (frame.hasText) fail("A <value> mixes text with a typed value.");
    }
    if (name === "params") {
      if (this.sawParams) fail("The request has more than one <params>.");
      this.sawParams = true;
    }
    if (name === "param") this.paramValues = 0;
    elements.push(name);
    this.text = "";
    switch (name) {
      case "value":
        this.values.push({ typedValue: undefined, hasText: false });
        break;
      case "array":
        this.arrays.push({ items: [] });
        break;
      case "struct":
        this.structs.push(new Map());
        break;
      case "member":
        this.members.push({ name: undefined, value: undefined });
        break;
    }
  }

  private onClose(name: string): void {
    const elements = this.elements;
    elements.pop();
    const parent = elements.length > 0 ? elements[elements.length - 1] : "";
    if (SCALARS.has(name)) {
      const frame = this.values[this.values.length - 1];
      if (frame.typedValue) fail("A <value> holds more than one value.");
      frame.typedValue = scalar(name, this.text, fail);
      this.text = "";
      return;
    }
    switch (name) {
      case "methodName":
        if (this.methodName !== undefined) fail("The request has more than one <methodName>.");
        this.methodName = this.text.trim();
        break;
      case "name": {
        const member = this.members[this.members.length - 1];
        if (member.name !== undefined) fail("A <member> has more than one <name>.");
        member.name = this.text;
        break;
      }
      case "array": {
        const frame = this.arrays.pop()!;
        this.setTyped({ kind: "array", items: frame.items });
        break;
      }
      case "struct": {
        const map = this.structs.pop()!;
        this.setTyped({ kind: "struct", members: map });
        break;
      }
      case "member": {
        const member = this.members.pop()!;
        if (member.name === undefined || member.value === undefined) fail("A <member> needs a <name> and a <value>.");
        this.structs[this.structs.length - 1].set(member.name!, member.value!);
        break;
      }
      case "value": {
        const frame = this.values.pop()!;
        const value: XmlRpcValue = frame.typedValue ?? { kind: "string", value: this.text, typed: false };
        if (parent === "param") {
          if (++this.paramValues > 1) fail("A <param> holds more than one <value>.");
          this.params.push(value);
        } else if (parent === "fault") this.fault = value;
        else if (parent === "data") this.arrays[this.arrays.length - 1].items.push(value);
        else if (parent === "member") {
          const member = this.members[this.members.length - 1];
          if (member.value !== undefined) fail("A <member> has more than one <value>.");
          member.value = value;
        }
        break;
      }
      case "param":
        if (this.paramValues === 0) fail("A <param> has no <value>.");
        break;
    }
    this.text = "";
  }

  private setTyped(value: XmlRpcValue): void {
    const frame = this.values[this.values.length - 1];
    if (frame.typedValue) fail("A <value> holds more than one value.");
    frame.typedValue = value;
  }
}

let shared: DocumentParser | undefined;

/** Parses a methodCall or methodResponse document; any other root element is refused at once. */
function parseDocument(xml: string, limits: CodecLimits, rootName: "methodCall" | "methodResponse"): ParsedDocument {
  const parser = shared ?? new DocumentParser();
  shared = undefined;
  const doc = parser.parse(xml, limits, rootName);
  // Only a parser that finished its document cleanly is reused.
  shared = parser;
  return doc;
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

function plainScalar(name: string, text: string): XmlRpcValue {
  return scalar(name, text, fail);
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

/** A methodCall whose parameters are already XML values (the inside of each <value>). */
export function methodCallXml(methodName: string, valuesXml: readonly string[]): string {
  let out = `<?xml version="1.0" encoding="UTF-8"?><methodCall><methodName>${escapeXml(methodName)}</methodName><params>`;
  for (const v of valuesXml) out += `<param><value>${v}</value></param>`;
  return out + "</params></methodCall>";
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
  /** An array of already-encoded value XML. */
  array(itemsXml: readonly string[]): string {
    let out = "<array><data>";
    for (const item of itemsXml) out += "<value>" + item + "</value>";
    return out + "</data></array>";
  },
  /** members: [name, already-encoded value XML]. */
  struct(members: ReadonlyArray<readonly [string, string]>): string {
    let out = "<struct>";
    for (const [name, value] of members) out += `<member><name>${escapeXml(name)}</name><value>${value}</value></member>`;
    return out + "</struct>";
  },
};
