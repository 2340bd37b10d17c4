// The job details string of api.processJob: one CSV record of `name=value` fields. A field containing a
// comma is quoted as a whole pair ("printer=Lab, east"); a double quote inside a value is doubled.
// Parsing is pure and names every problem, so a script author can fix the string.
import { isIP } from "node:net";
import { Invalid } from "../kernel/errors.js";
import { parseMoney, type Micros } from "../kernel/money.js";

export const JOB_TYPES = ["PRINT", "COPY", "SCAN", "FAX"] as const;
export type JobType = (typeof JOB_TYPES)[number];

/** Every key of the reference, in the order of the job-import template. */
export const JOB_KEYS = [
  "user",
  "server",
  "printer",
  "time",
  "cost",
  "total-pages",
  "total-color-pages",
  "copies",
  "document-name",
  "duplex",
  "grayscale",
  "job-type",
  "paper-size-name",
  "paper-width-mm",
  "paper-height-mm",
  "document-size-kb",
  "invoice",
  "comment",
  "client-machine",
  "client-ip",
  "shared-account",
] as const;
export type JobKey = (typeof JOB_KEYS)[number];

const REQUIRED: readonly JobKey[] = ["user", "server", "printer"];
/** Bounds that keep every cost a safe integer and refuse obvious garbage. */
const MAX_PAGES = 100_000_000;
const MAX_TEXT = 4096;

export interface JobDetails {
  user: string;
  server: string;
  printer: string;
  /** Epoch ms of `time` (server local time); undefined = now. */
  time?: number;
  /** An explicit cost, which replaces the printer's charging model. */
  cost?: Micros;
  totalPages: number;
  /** Colour pages among totalPages (0 for a grayscale job). */
  colorPages: number;
  copies: number;
  documentName: string;
  duplex: boolean;
  grayscale: boolean;
  jobType: JobType;
  paperSizeName: string;
  paperWidthMm: string;
  paperHeightMm: string;
  documentSizeKb: number;
  invoice: boolean;
  comment: string;
  clientMachine: string;
  clientIp: string;
  sharedAccount: string;
}

/** Splits one CSV record into fields: quoted fields may hold commas and doubled quotes; in unquoted fields `""` also stands for one quote. */
export function splitCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    // Leading spaces before an opening quote are tolerated (`a=1, "b=2,3"`).
    let j = i;
    while (j < n && text[j] === " ") j++;
    if (j < n && text[j] === '"') {
      let value = "";
      let k = j + 1;
      for (;;) {
        if (k >= n) throw new Invalid(`The job details have an unterminated quoted field starting at character ${j + 1}.`);
        const c = text[k];
        if (c === '"') {
          if (text[k + 1] === '"') {
            value += '"';
            k += 2;
            continue;
          }
          k++;
          break;
        }
        value += c;
        k++;
      }
      while (k < n && text[k] === " ") k++;
      if (k < n && text[k] !== ",") throw new Invalid(`The job details have text after the closing quote of a field at character ${k + 1}; quote the whole name=value pair.`);
      fields.push(value);
      if (k >= n) return fields;
      i = k + 1;
    } else {
      const end = text.indexOf(",", i);
      const raw = end === -1 ? text.slice(i) : text.slice(i, end);
      fields.push(raw.replace(/""/g, '"'));
      if (end === -1) return fields;
      i = end + 1;
    }
  }
}

function isJobKey(key: string): key is JobKey {
  return (JOB_KEYS as readonly string[]).includes(key);
}

/** Reads the fields into a key → raw value map: keys trimmed and case-insensitive, values verbatim, the last duplicate wins. */
export function readJobFields(text: string): Map<JobKey, string> {
  const values = new Map<JobKey, string>();
  const unknown: string[] = [];
  for (const field of splitCsvRecord(text)) {
    if (field.trim() === "") continue;
    const eq = field.indexOf("=");
    if (eq === -1) throw new Invalid(`The job details field "${clip(field)}" is not of the form name=value.`);
    const key = field.slice(0, eq).trim().toLowerCase();
    if (!isJobKey(key)) {
      unknown.push(field.slice(0, eq).trim());
      continue;
    }
    values.set(key, field.slice(eq + 1));
  }
  if (unknown.length > 0) {
    throw new Invalid(`The job details contain unknown field${unknown.length > 1 ? "s" : ""}: ${unknown.map(clip).join(", ")}. Known fields are ${JOB_KEYS.join(", ")}.`);
  }
  return values;
}

function clip(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function wholeNumber(key: string, raw: string, min: number, max: number): number {
  const t = raw.trim();
  if (!/^[+-]?\d{1,12}$/.test(t)) throw new Invalid(`The job details field ${key}="${clip(raw)}" is not a whole number.`);
  const value = Number(t);
  if (value < min || value > max) throw new Invalid(`The job details field ${key}=${t} is out of range (${min} to ${max}).`);
  return value;
}

function flagValue(key: string, raw: string): boolean {
  const t = raw.trim().toLowerCase();
  if (t === "true" || t === "y" || t === "yes" || t === "1") return true;
  if (t === "false" || t === "n" || t === "no" || t === "0") return false;
  throw new Invalid(`The job details field ${key}="${clip(raw)}" is not TRUE or FALSE.`);
}

function decimalText(key: string, raw: string): string {
  const t = raw.trim();
  if (t === "") return "";
  const value = parseMoney(t);
  if (value === undefined || value < 0) throw new Invalid(`The job details field ${key}="${clip(raw)}" is not a number of zero or more.`);
  return t;
}

function text(key: string, raw: string): string {
  if (raw.length > MAX_TEXT) throw new Invalid(`The job details field ${key} is longer than ${MAX_TEXT} characters.`);
  return raw;
}

/** Parses `yyyyMMddTHHmmss` as a local date-time of the server; refuses impossible dates. */
export function parseJobTime(raw: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(raw.trim());
  if (!m) throw new Invalid(`The job details field time="${clip(raw)}" is not of the form yyyyMMddTHHmmss (e.g. 20240131T093000).`);
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const date = new Date(y, mo - 1, d, h, mi, s);
  if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d || date.getHours() !== h || date.getMinutes() !== mi || date.getSeconds() !== s) {
    throw new Invalid(`The job details field time=${raw.trim()} is not a valid date and time.`);
  }
  return date.getTime();
}

/** Parses a job details string. Throws Invalid naming the missing required fields, unknown fields, or the unparseable value. */
export function parseJobDetails(textValue: string): JobDetails {
  const f = readJobFields(textValue);
  const missing = REQUIRED.filter((k) => (f.get(k) ?? "").trim() === "");
  if (missing.length > 0) throw new Invalid(`The job details are missing the required field${missing.length > 1 ? "s" : ""}: ${missing.join(", ")}.`);
  const name = (k: JobKey) => text(k, (f.get(k) ?? "").trim());
  const server = name("server");
  if (server.includes("\\")) throw new Invalid(`The server name ${server} must not contain a backslash.`);

  const get = (k: JobKey): string | undefined => {
    const raw = f.get(k);
    return raw === undefined || raw.trim() === "" ? undefined : raw;
  };
  const totalPages = get("total-pages") === undefined ? 1 : wholeNumber("total-pages", get("total-pages") ?? "", -MAX_PAGES, MAX_PAGES);
  const colorGiven = get("total-color-pages");
  const grayscaleGiven = get("grayscale");
  let colorPages = colorGiven === undefined ? undefined : wholeNumber("total-color-pages", colorGiven, 0, MAX_PAGES);
  if (colorPages !== undefined && colorPages > Math.max(totalPages, 0)) {
    throw new Invalid(`The job details field total-color-pages=${colorPages} is more than total-pages=${totalPages}.`);
  }
  const grayscale = grayscaleGiven !== undefined ? flagValue("grayscale", grayscaleGiven) : (colorPages ?? 0) === 0;
  // A grayscale job has no colour pages; a job marked not grayscale without a colour count is all colour.
  if (grayscale) colorPages = 0;
  else if (colorPages === undefined) colorPages = Math.max(totalPages, 0);

  let cost: Micros | undefined;
  const costText = get("cost");
  if (costText !== undefined) {
    cost = parseMoney(costText.trim());
    if (cost === undefined || cost < 0) throw new Invalid(`The job details field cost="${clip(costText)}" is not an amount of zero or more (use a dot for decimals, e.g. 1.25).`);
  }
  const jobTypeText = (get("job-type") ?? "PRINT").trim().toUpperCase();
  if (!(JOB_TYPES as readonly string[]).includes(jobTypeText)) throw new Invalid(`The job details field job-type=${clip(jobTypeText)} is not one of ${JOB_TYPES.join(", ")}.`);
  const clientIp = (get("client-ip") ?? "").trim();
  if (clientIp !== "" && isIP(clientIp) === 0) throw new Invalid(`The job details field client-ip=${clip(clientIp)} is not an IP address.`);
  const timeText = get("time");

  return {
    user: name("user"),
    server,
    printer: name("printer"),
    time: timeText === undefined ? undefined : parseJobTime(timeText),
    cost,
    totalPages,
    colorPages,
    copies: get("copies") === undefined ? 1 : wholeNumber("copies", get("copies") ?? "", 0, MAX_PAGES),
    documentName: text("document-name", f.get("document-name") ?? ""),
    duplex: get("duplex") === undefined ? false : flagValue("duplex", get("duplex") ?? ""),
    grayscale,
    jobType: jobTypeText as JobType,
    paperSizeName: text("paper-size-name", (f.get("paper-size-name") ?? "").trim()),
    paperWidthMm: decimalText("paper-width-mm", f.get("paper-width-mm") ?? ""),
    paperHeightMm: decimalText("paper-height-mm", f.get("paper-height-mm") ?? ""),
    documentSizeKb: get("document-size-kb") === undefined ? 0 : wholeNumber("document-size-kb", get("document-size-kb") ?? "", 0, Number.MAX_SAFE_INTEGER),
    invoice: get("invoice") === undefined ? false : flagValue("invoice", get("invoice") ?? ""),
    comment: text("comment", f.get("comment") ?? ""),
    clientMachine: text("client-machine", (f.get("client-machine") ?? "").trim()),
    clientIp,
    sharedAccount: text("shared-account", (f.get("shared-account") ?? "").trim()),
  };
}
