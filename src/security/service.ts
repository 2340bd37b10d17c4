// Who may call the API: the allowed-callers list first, then the auth token (or the admin password).
import type { ConfigService } from "../config/service.js";
import { CONFIG_DEFAULTS, KNOWN_KEYS } from "../config/defaults.js";
import type { Database } from "../db/database.js";
import { selectSecret, upsertSecret } from "../config/queries.js";
import { Forbidden, Invalid } from "../kernel/errors.js";
import { parseAddressList, type AddressList } from "./allowed-addresses.js";
import { AdminPasswordCheck, hashPassword } from "./admin-password.js";
import { matchToken, parseTokenConfig, type TokenEntry } from "./tokens.js";

export const ADMIN_PASSWORD_SECRET = "admin-password-hash";
export const ADMIN_APPLICATION = "admin";

export const ACCESS_DENIED_MESSAGE = "Access denied. Your IP address is not allowed to access the Web Services API.";
export const AUTH_FAILED_MESSAGE = "Authentication failed: invalid or missing auth token.";

export class SecurityService {
  private addressText = "";
  private addresses: AddressList = parseAddressList("");
  private tokenText: string | undefined;
  private tokens: TokenEntry[] = [];
  private readonly adminPassword: AdminPasswordCheck;

  constructor(
    private readonly db: Database,
    private readonly config: ConfigService,
  ) {
    this.adminPassword = new AdminPasswordCheck(() => selectSecret(db.kysely, ADMIN_PASSWORD_SECRET));
    config.validate(KNOWN_KEYS.allowedAddresses, (value) => {
      parseAddressList(value);
    });
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

  /** The application name of the matching token, "admin" for the admin password; throws Forbidden otherwise. */
  async authenticate(token: string): Promise<string> {
    const text = this.config.get(KNOWN_KEYS.authToken);
    if (text !== this.tokenText) {
      this.tokens = parseTokenConfig(text);
      this.tokenText = text;
    }
    const application = matchToken(this.tokens, token);
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

  async hasAdminPassword(): Promise<boolean> {
    return (await selectSecret(this.db.kysely, ADMIN_PASSWORD_SECRET)) !== undefined;
  }
}
