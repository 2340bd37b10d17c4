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
  private verifiedHash: string | undefined;
  private verifiedAt = 0;

  /**
   * `recheckMs`: how long a remembered password is trusted before the stored hash is read again (so a
   * password changed through another node stops working here within that time); 0 trusts it until
   * this node changes the password.
   */
  constructor(
    private readonly loadHash: () => Promise<string | undefined>,
    private readonly recheckMs = 0,
  ) {}

  forget(): void {
    this.verifiedDigest = undefined;
    this.verifiedHash = undefined;
  }

  async matches(candidate: string): Promise<boolean> {
    if (candidate === "") return false;
    const digest = digestOf(candidate);
    if (this.verifiedDigest && timingSafeEqual(this.verifiedDigest, digest)) {
      if (this.recheckMs <= 0 || performance.now() - this.verifiedAt < this.recheckMs) return true;
      // Cheap recheck: the same stored hash means the same password, without a new argon2 verification.
      const current = await this.loadHash();
      if (current !== undefined && current === this.verifiedHash) {
        this.verifiedAt = performance.now();
        return true;
      }
      this.forget();
    }
    const stored = await this.loadHash();
    if (!stored) return false;
    let ok = false;
    try {
      ok = await verify(stored, candidate);
    } catch {
      ok = false;
    }
    if (ok) {
      this.verifiedDigest = digest;
      this.verifiedHash = stored;
      this.verifiedAt = performance.now();
    }
    return ok;
  }
}
