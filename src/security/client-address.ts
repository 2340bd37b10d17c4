// The caller's address behind a reverse proxy. `X-Forwarded-For` is believed only when the connection
// comes from a configured trusted proxy (`auth.webservices.trusted-proxies`); then the client is the
// right-most address in the header that is not itself a trusted proxy. Anyone else's header is ignored,
// so a caller cannot pick the address the allowed-callers check and the rate limit see.
import { isIP } from "node:net";
import type { AddressList } from "./allowed-addresses.js";

/** An address from the header: bare IPv4/IPv6, or with a port (`1.2.3.4:5678`, `[fd00::1]:5678`). */
function hopAddress(text: string): string {
  const t = text.trim();
  if (isIP(t)) return t;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(t);
  if (bracketed && isIP(bracketed[1])) return bracketed[1];
  const v4port = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(t);
  if (v4port && isIP(v4port[1])) return v4port[1];
  return t;
}

export function clientAddressOf(socketAddress: string, forwardedFor: string | string[] | undefined, trustedProxies: AddressList): string {
  if (forwardedFor === undefined || !trustedProxies.allows(socketAddress)) return socketAddress;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(",") : forwardedFor)
    .split(",")
    .map(hopAddress)
    .filter((h) => h !== "");
  let client = socketAddress;
  for (let i = hops.length - 1; i >= 0; i--) {
    client = hops[i];
    // Not an address at all: whatever sent it is not a proxy we trust to have written it; stop here.
    if (!isIP(client) || !trustedProxies.allows(client)) return client;
  }
  return client;
}
