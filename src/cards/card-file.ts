// PaperCut's prepaid top-up card batch file: UTF-16 with byte-order mark, CRLF line ends, the fixed
// header line, then one card per line with every field double-quoted:
//   CardNumber,BatchID,ValueNumber,Value,ExpDate,ExpDateDisplay
//   "TERM2-000417","TERM2","5","$5.00","2025-09-30","30/09/2025"
import { Invalid } from "../kernel/errors.js";
import { parseMoney, type Micros } from "../kernel/money.js";
import { readLines, splitCsvLine } from "../kernel/text-file.js";

export const CARD_FILE_HEADER = "CardNumber,BatchID,ValueNumber,Value,ExpDate,ExpDateDisplay";

export interface CardRecord {
  line: number;
  cardNumber: string;
  batchId: string;
  value: Micros;
  valueDisplay: string;
  expiresOn: string;
  expiresDisplay: string;
}

export interface ParsedCardFile {
  cards: CardRecord[];
  errors: string[];
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function isRealDate(text: string): boolean {
  const m = DATE.exec(text);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.getUTCFullYear() === Number(m[1]) && d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3]);
}

/** Reads and checks a whole card file; every problem is reported with its line number. */
export async function parseCardFile(path: string): Promise<ParsedCardFile> {
  const cards: CardRecord[] = [];
  const errors: string[] = [];
  const seen = new Map<string, number>();
  let sawHeader = false;
  for await (const { number, text } of readLines(path)) {
    if (!sawHeader) {
      if (text.trim() !== CARD_FILE_HEADER) {
        errors.push(`Line ${number}: the first line must be the header ${CARD_FILE_HEADER}.`);
        return { cards, errors };
      }
      sawHeader = true;
      continue;
    }
    if (text.trim() === "") continue;
    let fields: string[];
    try {
      fields = splitCsvLine(text);
    } catch (error) {
      errors.push(`Line ${number}: ${(error as Error).message}.`);
      continue;
    }
    if (fields.length !== 6) {
      errors.push(`Line ${number}: expected 6 fields, found ${fields.length}.`);
      continue;
    }
    const [cardNumber, batchId, valueText, valueDisplay, expiresOn, expiresDisplay] = fields.map((f) => f.trim());
    const value = parseMoney(valueText);
    if (cardNumber === "") errors.push(`Line ${number}: the card number is empty.`);
    else if (seen.has(cardNumber)) errors.push(`Line ${number}: card number ${cardNumber} already appears on line ${seen.get(cardNumber)}.`);
    else if (batchId === "") errors.push(`Line ${number}: the batch id is empty.`);
    else if (value === undefined || value <= 0) errors.push(`Line ${number}: the value "${valueText}" is not a positive number.`);
    else if (!isRealDate(expiresOn)) errors.push(`Line ${number}: the expiry date "${expiresOn}" is not a date written yyyy-MM-dd.`);
    else {
      seen.set(cardNumber, number);
      cards.push({ line: number, cardNumber, batchId, value, valueDisplay, expiresOn, expiresDisplay });
    }
  }
  if (!sawHeader) errors.push(`The card file is empty; its first line must be the header ${CARD_FILE_HEADER}.`);
  return { cards, errors };
}

export function requireNoErrors(parsed: ParsedCardFile, limit = 50): void {
  if (parsed.errors.length === 0) return;
  const shown = parsed.errors.slice(0, limit);
  const more = parsed.errors.length > limit ? `\n… and ${parsed.errors.length - limit} more problems.` : "";
  throw new Invalid(`The card file was not imported:\n${shown.join("\n")}${more}`);
}
