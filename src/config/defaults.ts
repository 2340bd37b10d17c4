// Config keys Quire itself reads, with their defaults. Any other key may be stored and read back as text.

export const CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  /** Who may call the XML Web Services API: localhost only until the admin adds addresses. */
  "auth.webservices.allowed-addresses": "127.0.0.1,::1",
  /** Web services tokens: a JSON object of application → token, a JSON array, or one plain token. */
  "auth.webservices.auth-token": "",
  /** The overdraft restricted users and accounts get in overdraft mode `default` (decimal). */
  "accounts.restricted.default-overdraft": "0.0",
};

export const KNOWN_KEYS = {
  allowedAddresses: "auth.webservices.allowed-addresses",
  authToken: "auth.webservices.auth-token",
  defaultOverdraft: "accounts.restricted.default-overdraft",
  trustedProxies: "auth.webservices.trusted-proxies",
  rateLimit: "auth.webservices.rate-limit",
  rateLimitBurst: "auth.webservices.rate-limit-burst",
} as const;
