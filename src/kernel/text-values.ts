// Text forms of values shared by every property table: booleans and integers as the API writes them.
import { Invalid } from "./errors.js";
import { formatMoney, parseMoney, type Micros } from "./money.js";

export function formatFlag(value: number | boolean): string {
  return value ? "true" : "false";
}

/** Accepts true/false in any case (clients send TRUE, True), plus Y/N, yes/no and 1/0. */
export function parseFlag(name: string, text: string): 0 | 1 {
  const t = text.trim().toLowerCase();
  if (t === "true" || t === "y" || t === "yes" || t === "1") return 1;
  if (t === "false" || t === "n" || t === "no" || t === "0") return 0;
  throw new Invalid(`The value "${text}" for ${name} is not a boolean; use true or false.`);
}

export function parseCount(name: string, text: string): number {
  const t = text.trim();
  if (!/^\d{1,15}$/.test(t)) throw new Invalid(`The value "${text}" for ${name} is not a whole number of zero or more.`);
  return Number(t);
}

export function parseAmount(name: string, text: string): Micros {
  const value = parseMoney(text);
  if (value === undefined) throw new Invalid(`The value "${text}" for ${name} is not a number (use a dot for decimals, e.g. 12.50).`);
  return value;
}

export { formatMoney };
