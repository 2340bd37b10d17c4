// Reads server-side text files line by line with bounded memory, whatever their encoding: UTF-16LE/BE
// and UTF-8 are recognised by their byte-order mark, anything else is read as UTF-8. Line ends may be
// LF or CRLF. Every line carries its 1-based number, for error messages.
import { createReadStream } from "node:fs";
import { access, constants, stat } from "node:fs/promises";
import { TextDecoder } from "node:util";
import { Invalid, NotFound } from "./errors.js";

export interface NumberedLine {
  number: number;
  text: string;
}

export type TextEncoding = "utf-8" | "utf-16le" | "utf-16be";

function encodingOf(head: Buffer): { encoding: TextEncoding; bomLength: number } {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: "utf-16le", bomLength: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: "utf-16be", bomLength: 2 };
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: "utf-8", bomLength: 3 };
  return { encoding: "utf-8", bomLength: 0 };
}

/**
 * Checks, before any work starts, that `path` names a readable regular file; throws a fault a person
 * can act on otherwise.
 */
export async function checkReadableFile(path: string, what = "import file"): Promise<void> {
  if (path.trim() === "") throw new Invalid(`No ${what} was given.`);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new NotFound(`The ${what} ${path} does not exist on the server.`);
  }
  if (!info.isFile()) throw new Invalid(`The ${what} ${path} is not a file.`);
  try {
    await access(path, constants.R_OK);
  } catch {
    throw new Invalid(`The ${what} ${path} is not readable by the server.`);
  }
}

/** Yields the lines of a file (without line ends); a final empty line after the last line end is not yielded. */
export async function* readLines(path: string): AsyncGenerator<NumberedLine> {
  const stream = createReadStream(path, { highWaterMark: 64 * 1024 });
  let decoder: TextDecoder | undefined;
  let pending = "";
  let number = 0;
  let head = Buffer.alloc(0);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let data = chunk;
    if (!decoder) {
      head = Buffer.concat([head, data]);
      if (head.length < 3) continue;
      const { encoding, bomLength } = encodingOf(head);
      decoder = new TextDecoder(encoding);
      data = head.subarray(bomLength);
    }
    pending += decoder.decode(data, { stream: true });
    let start = 0;
    for (let nl = pending.indexOf("\n", start); nl !== -1; nl = pending.indexOf("\n", start)) {
      number++;
      yield { number, text: stripCr(pending.slice(start, nl)) };
      start = nl + 1;
    }
    pending = pending.slice(start);
  }
  if (!decoder) {
    const { encoding, bomLength } = encodingOf(head);
    decoder = new TextDecoder(encoding);
    pending += decoder.decode(head.subarray(bomLength), { stream: true });
  }
  pending += decoder.decode();
  const lines = pending.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (i === lines.length - 1 && lines[i] === "") break;
    number++;
    yield { number, text: stripCr(lines[i]) };
  }
}

function stripCr(text: string): string {
  return text.endsWith("\r") ? text.slice(0, -1) : text;
}

/** Splits one CSV record (RFC 4180 quoting, no line breaks inside fields). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q === -1) throw new Invalid("a quoted field is not closed");
        value += line.slice(i, q);
        if (line[q + 1] === '"') {
          value += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      fields.push(value);
      if (i >= line.length) return fields;
      if (line[i] !== ",") throw new Invalid(`unexpected character after a quoted field at column ${i + 1}`);
      i++;
    } else {
      const comma = line.indexOf(",", i);
      if (comma === -1) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** One CSV field, quoted when needed (RFC 4180). */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}
