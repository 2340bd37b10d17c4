// The built-in admin password: stored only as an argon2id hash. A correct password is remembered as a
// SHA-256 digest in memory so repeat API calls that use it as the token stay cheap; the stored form stays slow.
import { hash, verify } from "@node-rs/argon2";
import { timingSafeEqual } from "node:crypto";
import { digestOf } from "./tokens.js";

export async function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/** Whether a password matches a stored argon2 hash; false (never an error) for a malformed hash. */
export async function verifyPasswordHash(stored: string, candidate: string): Promise<boolean> {
  if (candidate === "") return false;
  try {
    return await verify(stored, candidate);
  } catch {
    return false;
  }
}

export class AdminPasswordCheck {
  private verifiedDigest: Buffer | undefined;
  constructor(private readonly loadHash: () => Promise<string | undefined>) {}

  forget(): void {
    this.verifiedDigest = undefined;
  }

  async matches(candidate: string): Promise<boolean> {
    if (candidate === "") return false;
    const digest = digestOf(candidate);
    if (this.verifiedDigest && timingSafeEqual(this.verifiedDigest, digest)) return true;
    const stored = await this.loadHash();
    if (!stored) return false;
    let ok = false;
    try {
      ok = await verify(stored, candidate);
    } catch {
      ok = false;
    }
    if (ok) this.verifiedDigest = digest;
    return ok;
  }
}
