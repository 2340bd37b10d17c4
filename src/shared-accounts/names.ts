// Shared account names: a top-level account `Parent`, or a sub-account `Parent\Child` (one level only).
import { Invalid } from "../kernel/errors.js";

export const SEPARATOR = "\\";

export interface SharedAccountName {
  /** As stored and listed: `Parent` or `Parent\Child`. */
  full: string;
  parent: string;
  child: string | null;
}

function checkPart(part: string, whole: string): string {
  const t = part.trim();
  if (t === "") throw new Invalid(`The shared account name "${whole}" is not valid: a name and each side of \\ must not be empty.`);
  // eslint-disable-next-line no-control-regex -- refusing control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(t)) throw new Invalid(`The shared account name "${whole}" contains control characters.`);
  if (t.length > 255) throw new Invalid(`The shared account name "${whole}" is longer than 255 characters.`);
  return t;
}

/** Parses `Parent` or `Parent\Child`; spaces around the name and around the backslash are ignored. */
export function parseSharedAccountName(text: string): SharedAccountName {
  const parts = text.trim().split(SEPARATOR);
  if (parts.length > 2) throw new Invalid(`The shared account name "${text}" is not valid: sub-accounts are one level deep (Parent\\Child).`);
  const parent = checkPart(parts[0], text);
  if (parts.length === 1) return { full: parent, parent, child: null };
  const child = checkPart(parts[1], text);
  return { full: `${parent}${SEPARATOR}${child}`, parent, child };
}

/** Like parseSharedAccountName, but undefined instead of a fault (for existence checks). */
export function tryParseSharedAccountName(text: string): SharedAccountName | undefined {
  try {
    return parseSharedAccountName(text);
  } catch {
    return undefined;
  }
}
