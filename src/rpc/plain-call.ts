// A quick reader for the plain shape of a methodCall that XML-RPC clients send: an optional UTF-8 XML
// declaration, bare tags without attributes, comments or entities, whitespace between tags. It reads
// such a document in one pass and gives exactly what the saxes parser gives for it; anything else —
// an attribute, an entity or character reference, CDATA, a comment, a DOCTYPE, a carriage return or a
// control character in text, an unknown or misplaced element, a value saxes would refuse — makes it
// decline (undefined), and the document goes to saxes, which stays the judge of what is well-formed
// and writes every error message. A differential test holds the two readers to the same results.
import type { CodecLimits, MethodCall, XmlRpcValue } from "./codec.js";

/** Thrown inside the reader to decline; caught at its entry and never seen outside. */
const DECLINE = new Error("not a plain methodCall");

const DECLARATION = /<\?xml version=(["'])1\.0\1(?: encoding=(["'])(?:UTF-8|utf-8)\2)? ?\?>/y;
const BLANK = /^[ \t\n]*$/;

const LT = 60;
const SLASH = 47;

type ScalarReader = (name: string, text: string) => XmlRpcValue;

class PlainReader {
  pos = 0;
  count = 0;

  constructor(
    readonly xml: string,
    readonly limits: CodecLimits,
    readonly scalar: ScalarReader,
  ) {}

  skipWhitespace(): void {
    const xml = this.xml;
    let i = this.pos;
    for (let c = xml.charCodeAt(i); c === 32 || c === 10 || c === 9 || c === 13; c = xml.charCodeAt(++i));
    this.pos = i;
  }

  /**
   * Plain text up to the next tag: no markup or references, nothing saxes would normalise (\r) or refuse
   * (control characters, U+FFFE, U+FFFF, unpaired surrogates).
   */
  text(): string {
    const xml = this.xml;
    const start = this.pos;
    const end = xml.length;
    let i = start;
    for (;;) {
      if (i >= end) throw DECLINE;
      const c = xml.charCodeAt(i);
      if (c === LT) break;
      if (c < 32) {
        if (c !== 10 && c !== 9) throw DECLINE; // \r and the other control characters
      } else if (c === 38 || c === 62 || c >= 0xd800) {
        if (c === 38 || c === 62 || c >= 0xfffe) throw DECLINE;
        if (c < 0xe000) {
          // A high surrogate followed by a low one is one character; anything else is unpaired.
          if (c >= 0xdc00 || !((xml.charCodeAt(i + 1) & 0xfc00) === 0xdc00)) throw DECLINE;
          i++;
        }
      }
      i++;
    }
    this.pos = i;
    return xml.slice(start, i);
  }

  /** Takes `<name>` if it comes next (counting it against the limits at `depth`, its parent's depth). */
  open(name: string, depth: number): boolean {
    const xml = this.xml;
    const at = this.pos;
    if (xml.charCodeAt(at) !== LT || !xml.startsWith(name, at + 1) || xml.charCodeAt(at + 1 + name.length) !== 62) return false;
    this.pos = at + name.length + 2;
    this.counted(depth);
    return true;
  }

  counted(depth: number): void {
    // At or past a limit, saxes writes the fault.
    if (++this.count > this.limits.maxElements || depth >= this.limits.maxDepth) throw DECLINE;
  }

  expectOpen(name: string, depth: number): void {
    if (!this.open(name, depth)) throw DECLINE;
  }

  expectClose(name: string): void {
    const xml = this.xml;
    const at = this.pos;
    if (xml.charCodeAt(at) !== LT || xml.charCodeAt(at + 1) !== SLASH || !xml.startsWith(name, at + 2) || xml.charCodeAt(at + 2 + name.length) !== 62) throw DECLINE;
    this.pos = at + name.length + 3;
  }

  /** The name of the element opening at the current position (`<name>` or `<name/>`), without taking it. */
  peekName(): { name: string; empty: boolean } {
    const xml = this.xml;
    const at = this.pos;
    if (xml.charCodeAt(at) !== LT) throw DECLINE;
    const gt = xml.indexOf(">", at + 1);
    if (gt < 0) throw DECLINE;
    const empty = xml.charCodeAt(gt - 1) === SLASH;
    return { name: xml.slice(at + 1, empty ? gt - 1 : gt), empty };
  }

  call(): MethodCall {
    const xml = this.xml;
    DECLARATION.lastIndex = 0;
    if (DECLARATION.test(xml)) this.pos = DECLARATION.lastIndex;
    this.skipWhitespace();
    this.expectOpen("methodCall", 0);
    this.skipWhitespace();
    this.expectOpen("methodName", 1);
    const methodName = this.text().trim();
    if (methodName === "") throw DECLINE;
    this.expectClose("methodName");
    this.skipWhitespace();
    const params: XmlRpcValue[] = [];
    if (this.open("params", 1)) {
      this.skipWhitespace();
      while (this.open("param", 2)) {
        this.skipWhitespace();
        params.push(this.value(3));
        this.skipWhitespace();
        this.expectClose("param");
        this.skipWhitespace();
      }
      this.expectClose("params");
      this.skipWhitespace();
    }
    this.expectClose("methodCall");
    this.skipWhitespace();
    if (this.pos !== xml.length) throw DECLINE;
    return { methodName, params };
  }

  /** `<value>…</value>`, opened at `depth`. */
  value(depth: number): XmlRpcValue {
    this.expectOpen("value", depth);
    // The commonest value of all, <value><string>…</string></value>, read without looking further.
    if (this.open("string", depth + 1)) {
      const value = this.text();
      this.expectClose("string");
      this.skipWhitespace();
      this.expectClose("value");
      return { kind: "string", value, typed: true };
    }
    const text = this.text();
    if (this.xml.charCodeAt(this.pos + 1) === SLASH) {
      this.expectClose("value");
      return { kind: "string", value: text, typed: false };
    }
    // Only blanks may stand beside a typed value (saxes refuses other text there).
    if (!BLANK.test(text)) throw DECLINE;
    const inner = depth + 1;
    let result: XmlRpcValue;
    if (this.open("array", inner)) {
      this.skipWhitespace();
      this.expectOpen("data", inner + 1);
      this.skipWhitespace();
      const items: XmlRpcValue[] = [];
      while (this.xml.charCodeAt(this.pos + 1) !== SLASH) {
        items.push(this.value(inner + 2));
        this.skipWhitespace();
      }
      this.expectClose("data");
      this.skipWhitespace();
      this.expectClose("array");
      result = { kind: "array", items };
    } else if (this.open("struct", inner)) {
      this.skipWhitespace();
      const members = new Map<string, XmlRpcValue>();
      while (this.open("member", inner + 1)) {
        this.skipWhitespace();
        this.expectOpen("name", inner + 2);
        const name = this.text();
        this.expectClose("name");
        this.skipWhitespace();
        members.set(name, this.value(inner + 2));
        this.skipWhitespace();
        this.expectClose("member");
        this.skipWhitespace();
      }
      this.expectClose("struct");
      result = { kind: "struct", members };
    } else {
      const { name, empty } = this.peekName();
      if (!SCALAR_NAMES.has(name)) throw DECLINE;
      this.pos += name.length + (empty ? 3 : 2);
      this.counted(inner);
      let scalarText = "";
      if (!empty) {
        scalarText = this.text();
        this.expectClose(name);
      }
      result = this.scalar(name, scalarText);
    }
    this.skipWhitespace();
    this.expectClose("value");
    return result;
  }
}

const SCALAR_NAMES = new Set(["int", "i4", "i8", "ex:i8", "boolean", "string", "double", "dateTime.iso8601", "base64", "nil", "ex:nil"]);

/**
 * Reads a plain methodCall, or declines with undefined. `scalar` turns a scalar element's text into its
 * value exactly as the saxes reader does; where it throws, the reader declines and saxes reports.
 */
export function readPlainCall(xml: string, limits: CodecLimits, scalar: ScalarReader): MethodCall | undefined {
  try {
    return new PlainReader(xml, limits, scalar).call();
  } catch {
    return undefined;
  }
}
