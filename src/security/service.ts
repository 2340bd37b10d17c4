// Who may call the API: the allowed-callers list first, then the auth token (or the admin password).
import type { ConfigService } from "../config/service.js";
import { CONFIG_DEFAULTS, KNOWN_KEYS } from "../config/defaults.js";
import type { Database } from "../db/database.js";
import { selectSecret, upsertSecret } from "../config/queries.js";
import { Forbidden, Invalid } from "../kernel/errors.js";
import { isLoopback, parseAddressList, type AddressList } from "./allowed-addresses.js";
import { AdminPasswordCheck, hashPassword } from "./admin-password.js";
import { randomBytes } from "node:crypto";
import { Conflict, NotFound } from "../kernel/errors.js";
import { maskToken, matchToken, parseTokenConfig, readTokenConfig, tokenEntry, type TokenEntry } from "./tokens.js";
import { clientAddressOf } from "./client-address.js";
import { parseNonNegative, parseRateLimit, RateLimiter } from "./rate-limit.js";

export const ADMIN_PASSWORD_SECRET = "admin-password-hash";
export const ADMIN_APPLICATION = "admin";

export const ACCESS_DENIED_MESSAGE = "Access denied. Your IP address is not allowed to access the Web Services API.";
export const AUTH_FAILED_MESSAGE = "Authentication failed: invalid or missing auth token.";

export class SecurityService {
  private addressText = "";
  private addresses: AddressList = parseAddressList("");
  private proxiesText = "";
  private proxies: AddressList = parseAddressList("");
  private rateText = "";
  private limiter = new RateLimiter({ perSecond: 0, burst: 1 });
  private tokenText: string | undefined;
  private tokens: TokenEntry[] = [];
  private readonly localTokens: TokenEntry[] = [];
  private readonly adminPassword: AdminPasswordCheck;

  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
  ) {
    this.adminPassword = new AdminPasswordCheck(() => selectSecret(db.kysely, ADMIN_PASSWORD_SECRET), config.propagationMs);
    config.validate(KNOWN_KEYS.allowedAddresses, (value) => {
      parseAddressList(value);
    });
    config.validate(KNOWN_KEYS.trustedProxies, (value) => {
      parseAddressList(value);
    });
    config.validate(KNOWN_KEYS.rateLimit, (value) => {
      parseNonNegative(value, KNOWN_KEYS.rateLimit);
    });
    config.validate(KNOWN_KEYS.rateLimitBurst, (value) => {
      parseNonNegative(value, KNOWN_KEYS.rateLimitBurst);
    });
  }

  /** The caller's address: the socket's, or the forwarded client's when the socket is a trusted proxy. */
  clientAddress(socketAddress: string, forwardedFor: string | string[] | undefined): string {
    if (forwardedFor === undefined) return socketAddress;
    const text = this.config.get(KNOWN_KEYS.trustedProxies);
    if (text !== this.proxiesText) {
      this.proxies = parseAddressList(text);
      this.proxiesText = text;
    }
    return clientAddressOf(socketAddress, forwardedFor, this.proxies);
  }

  /** Counts a request against the address's rate limit: 0 when allowed, else ms until the next is. */
  takeRequest(address: string): number {
    const text = `${this.config.get(KNOWN_KEYS.rateLimit)}|${this.config.get(KNOWN_KEYS.rateLimitBurst)}`;
    if (text !== this.rateText) {
      const [rate, burst] = text.split("|");
      try {
        this.limiter = new RateLimiter(parseRateLimit(rate, burst));
      } catch {
        // A bad value stored behind the validator's back (another tool, a restore): no limit rather than no service.
        this.limiter = new RateLimiter({ perSecond: 0, burst: 1 });
      }
      this.rateText = text;
    }
    return this.limiter.take(address, performance.now());
  }

  /** The fault message for a caller over its rate limit. */
  rateLimitedMessage(address: string, retryAfterMs: number): string {
    return `Too many requests from ${address}: the limit is ${this.limiter.settings.perSecond} a second; try again in ${retryAfterMs} ms.`;
  }

  /** Whether a caller at this address may use the XML Web Services API. */
  isAddressAllowed(address: string): boolean {
    // An emptied list means the default (localhost only), never "nobody": clearing it must not lock out the server's own scripts.
    const stored = this.config.get(KNOWN_KEYS.allowedAddresses);
    const text = stored.trim() === "" ? CONFIG_DEFAULTS[KNOWN_KEYS.allowedAddresses] : stored;
    if (text !== this.addressText) {
      this.addresses = parseAddressList(text);
      this.addressText = text;
    }
    return this.addresses.allows(address);
  }

  assertAddressAllowed(address: string): void {
    if (!this.isAddressAllowed(address)) throw new Forbidden(ACCESS_DENIED_MESSAGE);
  }

  /**
   * Accepts an extra token that never appears in config, and only from loopback callers: the secret the
   * running server writes to its data directory for `server-command`.
   */
  allowLocalToken(application: string, token: string): void {
    this.localTokens.push(tokenEntry(application, token));
  }

  /**
   * The application of the matching web services token (or the local server-command secret, from loopback
   * only), checked at once; undefined when no token matches and only the admin password is left to try.
   */
  tokenApplication(token: string, address?: string): string | undefined {
    const text = this.config.get(KNOWN_KEYS.authToken);
    if (text !== this.tokenText) {
      this.tokens = parseTokenConfig(text);
      this.tokenText = text;
    }
    const application = matchToken(this.tokens, token);
    if (application !== undefined) return application;
    if (this.localTokens.length > 0 && address !== undefined && isLoopback(address)) return matchToken(this.localTokens, token);
    return undefined;
  }

  /** The application name of the matching token, "admin" for the admin password; throws Forbidden otherwise. */
  async authenticate(token: string, address?: string): Promise<string> {
    const application = this.tokenApplication(token, address);
    if (application !== undefined) return application;
    if (await this.adminPassword.matches(token)) return ADMIN_APPLICATION;
    throw new Forbidden(AUTH_FAILED_MESSAGE);
  }

  async verifyAdminPassword(password: string): Promise<boolean> {
    return this.adminPassword.matches(password);
  }

  async changeAdminPassword(newPassword: string): Promise<void> {
    if (newPassword.trim() === "") throw new Invalid("The admin password must not be blank.");
    const hashed = await hashPassword(newPassword);
    await this.db.write((trx) => upsertSecret(trx, ADMIN_PASSWORD_SECRET, hashed));
    this.adminPassword.forget();
  }

  /** The web services tokens by application name, masked for display. */
  listTokens(): Array<{ application: string; masked: string }> {
    return readTokenConfig(this.config.get(KNOWN_KEYS.authToken)).map((t) => ({ application: t.application, masked: maskToken(t.token) }));
  }

  /** Adds a token for a new application and returns it (the only time it is shown whole). Rewrites the key as a JSON object. */
  async addToken(application: string): Promise<string> {
    const name = application.trim();
    if (name === "") throw new Invalid("Enter the name of the application that will use the token.");
    if (name.length > 64 || !/^[\w .@-]+$/.test(name)) throw new Invalid("Application names use letters, digits, spaces and . _ @ - (at most 64 characters).");
    const entries = readTokenConfig(this.config.get(KNOWN_KEYS.authToken));
    if (entries.some((e) => e.application === name)) throw new Conflict(`An application named ${name} already has a token.`);
    const token = randomBytes(24).toString("base64url");
    await this.config.set(KNOWN_KEYS.authToken, JSON.stringify(Object.fromEntries([...entries.map((e) => [e.application, e.token]), [name, token]])));
    return token;
  }

  async revokeToken(application: string): Promise<void> {
    const entries = readTokenConfig(this.config.get(KNOWN_KEYS.authToken));
    if (!entries.some((e) => e.application === application)) throw new NotFound(`No application named ${application} has a token.`);
    const rest = entries.filter((e) => e.application !== application);
    await this.config.set(KNOWN_KEYS.authToken, rest.length === 0 ? "" : JSON.stringify(Object.fromEntries(rest.map((e) => [e.application, e.token]))));
  }

  async hasAdminPassword(): Promise<boolean> {
    return (await selectSecret(this.db.kysely, ADMIN_PASSWORD_SECRET)) !== undefined;
  }
}
