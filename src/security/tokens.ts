// Web services auth tokens (config key auth.webservices.auth-token) in PaperCut's three formats:
// a JSON object of application → token, a JSON array of tokens, or one plain token.
import { hash, randomFillSync } from "node:crypto";

export interface TokenEntry {
  application: string;
  /** The token's UTF-16 code units XOR `pad`, so that the parsed form never holds the token in clear text. */
  masked: Uint16Array;
  /** Random, drawn for this entry alone. */
  pad: Uint16Array;
}

/** SHA-256 of a text, for fixed-size constant-time comparisons of secrets that are not API tokens. */
export function digestOf(value: string): Buffer {
  return hash("sha256", value, "buffer");
}

/** One token, held masked for checking. */
export function tokenEntry(application: string, token: string): TokenEntry {
  const pad = randomFillSync(new Uint16Array(token.length));
  const masked = new Uint16Array(token.length);
  for (let i = 0; i < token.length; i++) masked[i] = token.charCodeAt(i) ^ pad[i];
  return { application, masked, pad };
}

/** The configured tokens, masked for checking (the formats as readTokenConfig reads them). */
export function parseTokenConfig(raw: string): TokenEntry[] {
  return readTokenConfig(raw).map(({ application, token }) => tokenEntry(application, token));
}

/**
 * Whether the candidate is the entry's token, in constant time: every code unit of the token is compared
 * whatever the candidate holds, with no early exit, so the time depends on the token's length only,
 * never on how much of it a candidate got right. No hashing and no allocation: this runs on every call.
 */
export function matchesToken(entry: TokenEntry, candidate: string): boolean {
  const { masked, pad } = entry;
  const n = masked.length;
  const m = candidate.length;
  let diff = n ^ m;
  for (let i = 0; i < n; i++) diff |= masked[i] ^ pad[i] ^ (i < m ? candidate.charCodeAt(i) : 0);
  return diff === 0;
}

/** The application of the first entry whose token matches, every entry compared in constant time; undefined if none. */
export function matchToken(entries: readonly TokenEntry[], candidate: string): string | undefined {
  let found: string | undefined;
  for (const entry of entries) {
    if (matchesToken(entry, candidate) && found === undefined) found = entry.application;
  }
  return found;
}

/** The configured tokens with their application names, in the order configured (for listing and editing, not for checks). */
export function readTokenConfig(raw: string): Array<{ application: string; token: string }> {
  const text = raw.trim();
  if (text === "") return [];
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      return Object.entries(parsed as Record<string, unknown>)
        .filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "")
        .map(([application, token]) => ({ application, token }));
    }
    if (Array.isArray(parsed)) {
      return parsed.filter((t): t is string => typeof t === "string" && t !== "").map((token, i) => ({ application: `token-${i + 1}`, token }));
    }
  } catch {
    // not JSON: a plain token
  }
  return [{ application: "default", token: text }];
}

/** A token as the admin interface shows it: its last four characters only, and only when it is long. */
export function maskToken(token: string): string {
  return token.length >= 16 ? `••••••••${token.slice(-4)}` : "••••••••";
}
