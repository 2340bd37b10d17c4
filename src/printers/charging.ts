// Charging models: what one job costs on a printer. Pure rules over exact integer micros, no database.
// SIMPLE charges one cost per page; SIZE_TABLE reads PaperCut's per-size table
// (`advanced-config.cost.pst.<size>.<color|grayscale>.<simplex|duplex>`); SIZE_CATEGORY charges a page
// cost per size with grayscale and duplex discounts. The user's cost adjustment rate applies last.
import { parseMoney, scaleMoney, type Micros } from "../kernel/money.js";

export const COST_MODELS = ["SIMPLE", "AREA", "SIZE_TABLE", "SIZE_CATEGORY", "SIZE_DETAILED", "SIZE_LENGTH"] as const;
export type CostModel = (typeof COST_MODELS)[number];

export function isCostModel(value: string): value is CostModel {
  return (COST_MODELS as readonly string[]).includes(value);
}

/** Standard sizes (short × long edge, in micrometres) that a job given only by its dimensions is charged as. */
const STANDARD_SIZES: ReadonlyArray<readonly [string, number, number]> = [
  ["A5", 148_000, 210_000],
  ["A4", 210_000, 297_000],
  ["A3", 297_000, 420_000],
  ["A2", 420_000, 594_000],
  ["Letter", 215_900, 279_400],
  ["Legal", 215_900, 355_600],
  ["11x17", 279_400, 431_800],
];
const SIZE_TOLERANCE_UM = 2_000;

/**
 * The standard size name for a job given as `paper-width-mm` × `paper-height-mm` (either orientation,
 * within 2 mm), or "" when the dimensions are missing or match no standard size.
 */
export function paperSizeFromDimensions(widthMm: string, heightMm: string): string {
  const w = parseMoney(widthMm);
  const h = parseMoney(heightMm);
  if (w === undefined || h === undefined || w <= 0 || h <= 0) return "";
  // parseMoney gives millionths of a millimetre; compare in micrometres.
  const short = Math.round(Math.min(w, h) / 1000);
  const long = Math.round(Math.max(w, h) / 1000);
  for (const [name, s, l] of STANDARD_SIZES) {
    if (Math.abs(short - s) <= SIZE_TOLERANCE_UM && Math.abs(long - l) <= SIZE_TOLERANCE_UM) return name;
  }
  return "";
}

/** A printer's charging settings: the model, the simple page cost, and its `advanced-config.*` values (keys without the prefix). */
export interface PrinterCharging {
  model: string;
  costPerPage: Micros;
  advanced: Readonly<Record<string, string>>;
}

/** What a job printed, as far as charging cares. `totalPages` includes every copy; colour pages are among them. */
export interface JobPages {
  totalPages: number;
  colorPages: number;
  duplex: boolean;
  paperSizeName: string;
}

/** The cost of one page of this job's size and sides, in colour and in grayscale. */
export interface PageCosts {
  color: Micros;
  grayscale: Micros;
}

const PERCENT_SCALE = 100 * 1_000_000;

/** A non-negative amount from settings text, or undefined when unset or unusable (settings never make a job cost negative). */
function amountOf(text: string | undefined): Micros | undefined {
  if (text === undefined) return undefined;
  const value = parseMoney(text);
  return value === undefined || value < 0 ? undefined : value;
}

/** Cost keys are looked up case-insensitively, so `A4`, `a4` and `Letter`/`letter` rows match the job's size name. */
function lowerKeys(advanced: Readonly<Record<string, string>>): Map<string, string> {
  const map = new Map<string, string>();
  for (const [k, v] of Object.entries(advanced)) map.set(k.toLowerCase(), v);
  return map;
}

function isYes(text: string | undefined): boolean {
  return text !== undefined && /^(y|yes|true|1)$/i.test(text.trim());
}

/** SIZE_TABLE: the job's size row if enabled, else `default`; a missing duplex cell falls back to simplex, a missing row cell to the default row, then to the simple cost. */
function sizeTablePageCosts(printer: PrinterCharging, pages: Pick<JobPages, "duplex" | "paperSizeName">): PageCosts {
  const adv = lowerKeys(printer.advanced);
  const size = pages.paperSizeName.trim().toLowerCase();
  const rows = size !== "" && size !== "default" && isYes(adv.get(`cost.pst.${size}.enabled`)) ? [size, "default"] : ["default"];
  const sides = pages.duplex ? ["duplex", "simplex"] : ["simplex"];
  const cell = (colour: "color" | "grayscale"): Micros => {
    for (const row of rows) {
      for (const side of sides) {
        const value = amountOf(adv.get(`cost.pst.${row}.${colour}.${side}`));
        if (value !== undefined) return value;
      }
    }
    return printer.costPerPage;
  };
  return { color: cell("color"), grayscale: cell("grayscale") };
}

export type Discount = { kind: "percent"; percentMicros: number } | { kind: "amount"; amount: Micros };

/** Parses a discount: `40%` (percent less, capped at 100) or `0.05` (amount less per page). Undefined when unset or unusable. */
export function parseDiscount(text: string | undefined): Discount | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  const t = text.trim();
  if (t.endsWith("%")) {
    const pct = amountOf(t.slice(0, -1));
    return pct === undefined ? undefined : { kind: "percent", percentMicros: Math.min(pct, PERCENT_SCALE) };
  }
  const amount = amountOf(t);
  return amount === undefined ? undefined : { kind: "amount", amount };
}

/** A page cost less a discount, never below zero. */
export function applyDiscount(cost: Micros, discount: Discount | undefined): Micros {
  if (!discount) return cost;
  if (discount.kind === "percent") return cost - scaleMoney(cost, discount.percentMicros, PERCENT_SCALE);
  return Math.max(0, cost - discount.amount);
}

/** SIZE_CATEGORY: `cost.psc.<size|default>.cost` per page, less `cost.psc.grayscale-discount` for grayscale and `cost.psc.duplex-discount` for duplex. */
function sizeCategoryPageCosts(printer: PrinterCharging, pages: Pick<JobPages, "duplex" | "paperSizeName">): PageCosts {
  const adv = lowerKeys(printer.advanced);
  const size = pages.paperSizeName.trim().toLowerCase();
  const base = (size !== "" ? amountOf(adv.get(`cost.psc.${size}.cost`)) : undefined) ?? amountOf(adv.get("cost.psc.default.cost")) ?? printer.costPerPage;
  const duplex = pages.duplex ? parseDiscount(adv.get("cost.psc.duplex-discount")) : undefined;
  const grayscale = parseDiscount(adv.get("cost.psc.grayscale-discount"));
  return { color: applyDiscount(base, duplex), grayscale: applyDiscount(applyDiscount(base, grayscale), duplex) };
}

/** The per-page costs of a job on a printer. Models whose attributes are not public (AREA, SIZE_DETAILED, SIZE_LENGTH) charge the simple page cost. */
export function pageCosts(printer: PrinterCharging, pages: Pick<JobPages, "duplex" | "paperSizeName">): PageCosts {
  switch (printer.model) {
    case "SIZE_TABLE":
      return sizeTablePageCosts(printer, pages);
    case "SIZE_CATEGORY":
      return sizeCategoryPageCosts(printer, pages);
    default:
      return { color: printer.costPerPage, grayscale: printer.costPerPage };
  }
}

/** Applies the user's `printer-cost-adjustment-rate-percent` (in micros of a percent; null = off), rounding half away from zero. */
export function applyCostAdjustment(cost: Micros, adjustmentPercentMicros: number | null): Micros {
  if (adjustmentPercentMicros === null) return cost;
  return scaleMoney(cost, adjustmentPercentMicros, PERCENT_SCALE);
}

/** The cost of a job: colour pages at the colour page cost, the rest at the grayscale one, then the user's adjustment. Throws RangeError past the money range. */
export function jobCost(printer: PrinterCharging, pages: JobPages, adjustmentPercentMicros: number | null = null): Micros {
  const costs = pageCosts(printer, pages);
  const color = BigInt(pages.colorPages);
  const gray = BigInt(pages.totalPages - pages.colorPages);
  const total = color * BigInt(costs.color) + gray * BigInt(costs.grayscale);
  if (total > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError("job cost out of range");
  return applyCostAdjustment(Number(total), adjustmentPercentMicros);
}
