// Back-off and lockout for admin sign-in, per client address. Each failure doubles the wait before the
// next attempt is considered (from 250 ms up to 16 s) and the failed answer itself is held that long;
// attempts during the wait are refused without checking the password, so parallel guessing gains
// nothing. After 10 failures in a row the address is locked out for 15 minutes. A success clears it.
import type { Clock } from "../kernel/clock.js";

export interface ThrottleRules {
  baseDelayMs: number;
  maxDelayMs: number;
  lockoutAfter: number;
  lockoutMs: number;
  /** Failures older than this are forgotten. */
  forgetAfterMs: number;
}

export const DEFAULT_THROTTLE_RULES: ThrottleRules = { baseDelayMs: 250, maxDelayMs: 16_000, lockoutAfter: 10, lockoutMs: 15 * 60_000, forgetAfterMs: 15 * 60_000 };

interface AddressRecord {
  failures: number;
  lastFailureAt: number;
  blockedUntil: number;
}

export type ThrottleVerdict = { allowed: true } | { allowed: false; retryAfterMs: number; lockedOut: boolean };

export class LoginThrottle {
  private readonly records = new Map<string, AddressRecord>();

  constructor(
    private readonly clock: Clock,
    private readonly rules: ThrottleRules = DEFAULT_THROTTLE_RULES,
  ) {}

  check(address: string): ThrottleVerdict {
    const record = this.current(address);
    if (!record) return { allowed: true };
    const now = this.clock.now();
    if (record.blockedUntil > now) return { allowed: false, retryAfterMs: record.blockedUntil - now, lockedOut: record.failures >= this.rules.lockoutAfter };
    return { allowed: true };
  }

  /** Records a failure and returns how long to hold the refusal. */
  fail(address: string): number {
    const now = this.clock.now();
    const record = this.current(address) ?? { failures: 0, lastFailureAt: now, blockedUntil: 0 };
    record.failures += 1;
    record.lastFailureAt = now;
    const delay = Math.min(this.rules.maxDelayMs, this.rules.baseDelayMs * 2 ** (record.failures - 1));
    record.blockedUntil = now + (record.failures >= this.rules.lockoutAfter ? this.rules.lockoutMs : delay);
    this.records.set(address, record);
    if (this.records.size > 100_000) this.prune();
    return delay;
  }

  succeed(address: string): void {
    this.records.delete(address);
  }

  private current(address: string): AddressRecord | undefined {
    const record = this.records.get(address);
    if (!record) return undefined;
    const now = this.clock.now();
    if (now - record.lastFailureAt > this.rules.forgetAfterMs && record.blockedUntil <= now) {
      this.records.delete(address);
      return undefined;
    }
    return record;
  }

  private prune(): void {
    for (const address of [...this.records.keys()]) this.current(address);
  }
}
