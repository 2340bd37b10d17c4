// Exact money: amounts are integers of millionths of a unit ("micros").
// XML-RPC <double> text is parsed straight into micros and formatted back without float arithmetic.

export type Micros = number;

export const MICROS_PER_UNIT = 1_000_000;
const SCALE_DIGITS = 6;
/** Largest amount we accept: about 9 billion units, so every sum of two amounts stays a safe integer. */
export const MAX_MICROS = 4_503_599_627_370_495;

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,4}))?$/;

/**
 * Parses decimal text ("12.5", "-0.01", "1e-05", "3") into micros, rounding half away from zero
 * beyond the sixth decimal. Returns undefined for anything that is not a finite decimal number.
 */
export function parseMoney(text: string): Micros | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const [, sign, intPart = "", fracPart = "", expText] = m;
  if (intPart === "" && fracPart === "") return undefined;
  // value = digits × 10^exponent; micros = value × 10^6.
  const digits = BigInt(intPart + fracPart || "0");
  const exponent = (expText === undefined ? 0 : Number(expText)) - fracPart.length + SCALE_DIGITS;
  let micros: bigint;
  if (digits === 0n) micros = 0n;
  else if (exponent >= 0) {
    if (exponent > 20) return undefined;
    micros = digits * 10n ** BigInt(exponent);
  } else if (-exponent > 400) micros = 0n;
  else {
    const divisor = 10n ** BigInt(-exponent);
    micros = digits / divisor;
    if ((digits % divisor) * 2n >= divisor) micros += 1n;
  }
  if (micros > BigInt(MAX_MICROS)) return undefined;
  const value = Number(micros);
  return sign === "-" && value !== 0 ? -value : value;
}

/** Formats micros as plain decimal text with at least one fraction digit: 12500000 → "12.5", 3000000 → "3.0". */
export function formatMoney(micros: Micros): string {
  const negative = micros < 0;
  const abs = Math.abs(micros);
  const units = Math.floor(abs / MICROS_PER_UNIT);
  const frac = abs - units * MICROS_PER_UNIT;
  let text = String(units);
  if (frac === 0) text += ".0";
  else text += "." + String(frac).padStart(SCALE_DIGITS, "0").replace(/0+$/, "");
  return negative ? "-" + text : text;
}

/** Formats micros the way PaperCut's property getters show amounts: plain decimals, "0.0" style for integral values. */
export const formatMoneyProperty = formatMoney;

export function addMoney(a: Micros, b: Micros): Micros {
  const sum = a + b;
  if (!Number.isSafeInteger(sum)) throw new RangeError("amount out of range");
  return sum;
}

/** Multiplies an amount by a rational factor num/den, rounding half away from zero, exactly (BigInt inside). */
export function scaleMoney(amount: Micros, num: number, den: number): Micros {
  if (den === 0) throw new RangeError("division by zero");
  const n = BigInt(amount) * BigInt(num);
  const d = BigInt(den);
  const negative = (n < 0n) !== (d < 0n);
  const an = n < 0n ? -n : n;
  const ad = d < 0n ? -d : d;
  let q = an / ad;
  if ((an % ad) * 2n >= ad) q += 1n;
  const result = Number(negative ? -q : q);
  if (!Number.isSafeInteger(result)) throw new RangeError("amount out of range");
  return result;
}

/** Converts a whole-unit number used in tests and defaults (e.g. 10) into micros. */
export function units(value: number): Micros {
  const parsed = parseMoney(String(value));
  if (parsed === undefined) throw new RangeError(`not an amount: ${value}`);
  return parsed;
}
