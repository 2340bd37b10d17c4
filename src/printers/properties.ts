// The printer property table of the API (getPrinterProperty/setPrinterProperty): how each name reads from a
// printer row and what a write changes. Pure rules; the service applies the changes.
import type { Selectable } from "kysely";
import type { PrinterTable } from "../db/schema.js";
import { Invalid } from "../kernel/errors.js";
import { parseMoney } from "../kernel/money.js";
import { formatFlag, parseFlag } from "../kernel/text-values.js";
import { COST_MODELS, isCostModel } from "./charging.js";

export type PrinterRow = Selectable<PrinterTable>;

export const TEMPLATE_PRINTER_NAME = "!!template printer!!";
export const ALL_PRINTERS = "[All Printers]";
export const ADVANCED_PREFIX = "advanced-config.";

/** `server\printer`, or the bare template name (the template has no server). */
export function printerDisplayName(server: string, printer: string): string {
  return server === "" ? printer : `${server}\\${printer}`;
}

export function isPrinterDisabled(printer: Pick<PrinterRow, "disabled" | "disabled_until">, now: number): boolean {
  if (!printer.disabled) return false;
  return printer.disabled_until === null || printer.disabled_until > now;
}

/** Checks a name a printer is created or renamed to. */
export function checkPrinterName(server: string, printer: string): void {
  if (server.trim() === "") throw new Invalid("The server name must not be empty.");
  if (printer.trim() === "") throw new Invalid("The printer name must not be empty.");
  if (server !== server.trim() || printer !== printer.trim()) throw new Invalid(`The printer name ${printerDisplayName(server, printer)} must not start or end with spaces.`);
  if (server.includes("\\")) throw new Invalid(`The server name ${server} must not contain a backslash.`);
  if (printer === ALL_PRINTERS || printer === TEMPLATE_PRINTER_NAME) throw new Invalid(`${printer} is a reserved printer name.`);
  if (server.length > 255 || printer.length > 255) throw new Invalid("Server and printer names must be at most 255 characters.");
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(server + printer)) throw new Invalid("Server and printer names must not contain control characters.");
}

export function parseAdvancedConfig(json: string): Record<string, string> {
  try {
    const value: unknown = JSON.parse(json);
    if (value && typeof value === "object" && !Array.isArray(value)) {
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(value)) if (typeof v === "string") out[k] = v;
      return out;
    }
  } catch {
    /* a damaged value reads as empty rather than breaking every printer call */
  }
  return {};
}

export interface PrinterView {
  printer: PrinterRow;
  advanced: Readonly<Record<string, string>>;
  groups: readonly string[];
  accessGroups: readonly string[];
  now: number;
}

/** What a property write changes. `advanced` values of "" remove the key. */
export interface PrinterChange {
  printer: Partial<PrinterRow>;
  advanced: Record<string, string>;
}

interface PropertySpec {
  read?: (v: PrinterView) => string;
  write?: (value: string, change: PrinterChange) => void;
}

type CustomField = "custom_field_1" | "custom_field_2" | "custom_field_3" | "custom_field_4" | "custom_field_5" | "custom_field_6";

const customField = (column: CustomField): PropertySpec => ({
  read: (v) => v.printer[column],
  write: (value, c) => {
    c.printer[column] = value;
  },
});

const readOnly = (read: (v: PrinterView) => string): PropertySpec => ({ read });

export const PRINTER_PROPERTIES: Readonly<Record<string, PropertySpec>> = {
  "cost-model": {
    read: (v) => v.printer.cost_model,
    write: (value, c) => {
      const model = value.trim().toUpperCase();
      if (!isCostModel(model)) throw new Invalid(`The cost model "${value}" is not valid; use one of ${COST_MODELS.join(", ")}.`);
      c.printer.cost_model = model;
    },
  },
  "custom-field-1": customField("custom_field_1"),
  "custom-field-2": customField("custom_field_2"),
  "custom-field-3": customField("custom_field_3"),
  "custom-field-4": customField("custom_field_4"),
  "custom-field-5": customField("custom_field_5"),
  "custom-field-6": customField("custom_field_6"),
  disabled: {
    read: (v) => formatFlag(isPrinterDisabled(v.printer, v.now)),
    write: (value, c) => {
      c.printer.disabled = parseFlag("disabled", value);
      c.printer.disabled_until = null;
    },
  },
  "print-stats.job-count": readOnly((v) => String(v.printer.job_count)),
  "print-stats.page-count": readOnly((v) => String(v.printer.page_count)),
  "printer-id": readOnly((v) => String(v.printer.id)),
  virtual: {
    read: (v) => formatFlag(v.printer.virtual),
    write: (value, c) => {
      c.printer.virtual = parseFlag("virtual", value);
    },
  },
  "device-functions": {
    read: (v) => v.printer.device_functions,
    write: (value, c) => {
      c.printer.device_functions = value.trim();
    },
  },
  // Quire additions, read-only: the printer's groups and access groups, comma-separated and sorted.
  "printer-groups": readOnly((v) => v.groups.join(",")),
  "access-groups": readOnly((v) => v.accessGroups.join(",")),
};

const COST_CELL = /^cost\.pst\.[^.]+\.(color|grayscale)\.(simplex|duplex)$/i;
const COST_ENABLED = /^cost\.(pst|psc)\.[^.]+\.enabled$/i;
const PSC_COST = /^cost\.psc\.[^.]+\.cost$/i;
const PSC_DISCOUNT = /^cost\.psc\.(grayscale|duplex)-discount$/i;

/** Checks the advanced keys charging reads, so a typo cannot silently make a printer free. Other keys are stored verbatim. */
function checkAdvancedValue(key: string, value: string): void {
  const t = value.trim();
  if (t === "") return;
  if (COST_CELL.test(key) || PSC_COST.test(key)) {
    const amount = parseMoney(t);
    if (amount === undefined || amount < 0) throw new Invalid(`The value "${value}" for ${ADVANCED_PREFIX}${key} is not a cost of zero or more (use a dot for decimals, e.g. 0.10).`);
  } else if (COST_ENABLED.test(key)) {
    parseFlag(`${ADVANCED_PREFIX}${key}`, t);
  } else if (PSC_DISCOUNT.test(key)) {
    const amount = parseMoney(t.endsWith("%") ? t.slice(0, -1) : t);
    if (amount === undefined || amount < 0) throw new Invalid(`The value "${value}" for ${ADVANCED_PREFIX}${key} is not a discount such as 40% or 0.02.`);
  }
}

function specOf(name: string): PropertySpec {
  const spec = Object.prototype.hasOwnProperty.call(PRINTER_PROPERTIES, name) ? PRINTER_PROPERTIES[name] : undefined;
  if (!spec) throw new Invalid(`Unknown printer property: ${name}.`);
  return spec;
}

export function readPrinterProperty(view: PrinterView, name: string): string {
  if (name.startsWith(ADVANCED_PREFIX) && name.length > ADVANCED_PREFIX.length) return view.advanced[name.slice(ADVANCED_PREFIX.length)] ?? "";
  const spec = specOf(name);
  if (!spec.read) throw new Invalid(`The printer property ${name} cannot be read.`);
  return spec.read(view);
}

/** Folds writes, in order, into one change. Throws Invalid on an unknown, read-only or unparseable property. */
export function planPrinterChange(writes: ReadonlyArray<readonly [string, string]>): PrinterChange {
  const change: PrinterChange = { printer: {}, advanced: {} };
  for (const [name, value] of writes) {
    if (name.startsWith(ADVANCED_PREFIX) && name.length > ADVANCED_PREFIX.length) {
      const key = name.slice(ADVANCED_PREFIX.length);
      checkAdvancedValue(key, value);
      change.advanced[key] = value;
      continue;
    }
    const spec = specOf(name);
    if (!spec.write) {
      const hint = name.startsWith("print-stats.") ? " Use resetPrinterCounts to zero the counters." : "";
      throw new Invalid(`The printer property ${name} is read-only.${hint}`);
    }
    spec.write(value, change);
  }
  return change;
}

/** The advanced settings after a change: "" removes a key. */
export function mergeAdvanced(current: Readonly<Record<string, string>>, patch: Readonly<Record<string, string>>): Record<string, string> {
  const next: Record<string, string> = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    if (v === "") delete next[k];
    else next[k] = v;
  }
  return next;
}

/** Splits a comma-separated list of group names: trimmed, blanks dropped, duplicates removed. */
export function parseGroupList(text: string): string[] {
  return [...new Set(text.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
}
