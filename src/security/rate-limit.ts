// Request rate limits per caller address: a token bucket per address, in memory on each node. Off unless
// `auth.webservices.rate-limit` is set (requests a second per address); the bucket holds
// `auth.webservices.rate-limit-burst` requests (default: two seconds' worth).
import { Invalid } from "../kernel/errors.js";

export interface RateLimitSettings {
  /** Requests a second each address may sustain; 0 turns limiting off. */
  perSecond: number;
  /** Requests an address may send at once after being quiet. */
  burst: number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** Addresses remembered at most; beyond it, buckets that have refilled are forgotten (they equal a new one). */
const MAX_TRACKED = 100_000;

export function parseRateLimit(rateText: string, burstText: string): RateLimitSettings {
  const perSecond = parseNonNegative(rateText, "auth.webservices.rate-limit") ?? 0;
  const burst = parseNonNegative(burstText, "auth.webservices.rate-limit-burst") ?? Math.max(1, perSecond * 2);
  return { perSecond, burst: Math.max(1, burst) };
}

export function parseNonNegative(text: string, key: string): number | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  const n = Number(t);
  if (!/^\d+(\.\d+)?$/.test(t) || !Number.isFinite(n)) throw new Invalid(`${key} must be a number of requests (0 or more), not "${text}".`);
  return n;
}

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(readonly settings: RateLimitSettings) {}

  get enabled(): boolean {
    return this.settings.perSecond > 0;
  }

  /** Takes one request from the address's bucket: 0 when allowed, else the milliseconds until one is. */
  take(address: string, nowMs: number): number {
    if (!this.enabled) return 0;
    const { perSecond, burst } = this.settings;
    let bucket = this.buckets.get(address);
    if (!bucket) {
      if (this.buckets.size >= MAX_TRACKED) this.forgetRefilled(nowMs);
      bucket = { tokens: burst, updatedAt: nowMs };
      this.buckets.set(address, bucket);
    } else {
      bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.updatedAt) / 1000) * perSecond);
      bucket.updatedAt = nowMs;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - bucket.tokens) / perSecond) * 1000);
  }

  private forgetRefilled(nowMs: number): void {
    const { perSecond, burst } = this.settings;
    for (const [address, b] of this.buckets) {
      if (b.tokens + ((nowMs - b.updatedAt) / 1000) * perSecond >= burst) this.buckets.delete(address);
    }
    // Still full of active addresses (a flood from many sources): start over rather than grow without bound.
    if (this.buckets.size >= MAX_TRACKED) this.buckets.clear();
  }
}
