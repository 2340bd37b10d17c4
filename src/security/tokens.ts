// Web services auth tokens (config key auth.webservices.auth-token) in PaperCut's three formats:
// a JSON object of application → token, a JSON array of tokens, or one plain token.
import { hash, timingSafeEqual } from "node:crypto";

export interface TokenEntry {
  application: string;
  digest: Buffer;
}

export function digestOf(value: string): Buffer {
  // One-shot hashing: several times cheaper than a Hash object, and this runs on every API call.
  return hash("sha256", value, "buffer");
}

/** The configured tokens as digests for checking (the formats as readTokenConfig reads them). */
export function parseTokenConfig(raw: string): TokenEntry[] {
  return readTokenConfig(raw).map(({ application, token }) => ({ application, digest: digestOf(token) }));
}

/** The application whose token matches, compared in constant time over SHA-256 digests; undefined if none. */
export function matchToken(entries: readonly TokenEntry[], candidate: string): string | undefined {
  const digest = digestOf(candidate);
  let found: string | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry.application;
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
