// Admin sessions, held in memory: a random id in an HTTP-only, SameSite=Strict cookie (Secure on HTTPS),
// a per-session CSRF token for every form, an idle and an absolute lifetime. A restart signs everyone out.
import { randomBytes, timingSafeEqual } from "node:crypto";
import type { Clock } from "../kernel/clock.js";

export interface AdminIdentity {
  /** Shown in the interface and recorded in the audit log. */
  name: string;
  /** How the person signed in: "admin-password" for the built-in administrator. */
  method: string;
}

export interface Session {
  readonly id: string;
  readonly identity: AdminIdentity;
  readonly csrfToken: string;
  readonly createdAt: number;
  lastSeenAt: number;
  /** A one-time message for the next page ("Balance adjusted."). */
  flash?: string;
}

export interface SessionLimits {
  idleMs: number;
  absoluteMs: number;
  maxSessions: number;
}

export const DEFAULT_SESSION_LIMITS: SessionLimits = { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000, maxSessions: 10_000 };

export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Compares two tokens in constant time; false for any length mismatch or missing value. */
export function tokensMatch(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    private readonly limits: SessionLimits = DEFAULT_SESSION_LIMITS,
  ) {}

  create(identity: AdminIdentity): Session {
    const now = this.clock.now();
    if (this.sessions.size >= this.limits.maxSessions) this.evictOldest();
    const session: Session = { id: randomToken(), identity, csrfToken: randomToken(), createdAt: now, lastSeenAt: now };
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session for this id, touched; undefined (and forgotten) once expired. */
  find(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.sessions.get(id);
    if (!session) return undefined;
    const now = this.clock.now();
    if (now - session.lastSeenAt > this.limits.idleMs || now - session.createdAt > this.limits.absoluteMs) {
      this.sessions.delete(id);
      return undefined;
    }
    session.lastSeenAt = now;
    return session;
  }

  destroy(id: string): void {
    this.sessions.delete(id);
  }

  private evictOldest(): void {
    let oldest: Session | undefined;
    for (const s of this.sessions.values()) if (!oldest || s.lastSeenAt < oldest.lastSeenAt) oldest = s;
    if (oldest) this.sessions.delete(oldest.id);
  }
}
