// The "Allowed XML Web Services callers" list: comma-separated entries, each `*`, an exact IPv4/IPv6
// address, a CIDR block (`10.0.0.0/8`, `fd00::/8`), an address/netmask (`10.1.0.0/255.255.0.0`),
// a dotted wildcard (`192.168.1.*`) or a range (`10.0.0.5-10.0.0.9`).
import { isIPv4, isIPv6 } from "node:net";
import { Invalid } from "../kernel/errors.js";

type Matcher = (addr: { v4?: number; v6?: bigint }) => boolean;

export interface AddressList {
  allows(address: string): boolean;
}

function v4ToInt(text: string): number {
  return text.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function v6ToBigInt(text: string): bigint {
  let head = text;
  let tailV4: number | undefined;
  const lastColon = head.lastIndexOf(":");
  if (head.includes(".")) {
    tailV4 = v4ToInt(head.slice(lastColon + 1));
    head = head.slice(0, lastColon + 1) + "0:0";
  }
  const [left, right] = head.includes("::") ? head.split("::") : [head, undefined];
  const l = left ? left.split(":") : [];
  const r = right !== undefined && right !== "" ? right.split(":") : [];
  const groups = right === undefined ? l : [...l, ...Array(8 - l.length - r.length).fill("0"), ...r];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(parseInt(g || "0", 16));
  if (tailV4 !== undefined) value = (value & ~0xffffffffn) | BigInt(tailV4);
  return value;
}

/** Normalises a socket address: IPv4-mapped IPv6 (::ffff:1.2.3.4) becomes IPv4; ::1 matches 127.0.0.1 entries too. */
function classify(address: string): { v4?: number; v6?: bigint } {
  const bare = address.replace(/%.*$/, "");
  if (isIPv4(bare)) return { v4: v4ToInt(bare) };
  if (isIPv6(bare)) {
    const v6 = v6ToBigInt(bare);
    if (v6 >> 32n === 0xffffn) return { v4: Number(v6 & 0xffffffffn), v6 };
    if (v6 === 1n) return { v4: v4ToInt("127.0.0.1"), v6 };
    return { v6 };
  }
  return {};
}

function prefixMask4(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

function parseEntry(entry: string): Matcher {
  if (entry === "*") return () => true;
  if (entry.includes("-") && !entry.includes("/")) {
    const [from, to] = entry.split("-").map((s) => s.trim());
    if (isIPv4(from) && isIPv4(to)) {
      const lo = v4ToInt(from);
      const hi = v4ToInt(to);
      if (lo > hi) throw new Invalid(`Address range "${entry}" starts after it ends.`);
      return (a) => a.v4 !== undefined && a.v4 >= lo && a.v4 <= hi;
    }
    if (isIPv6(from) && isIPv6(to)) {
      const lo = v6ToBigInt(from);
      const hi = v6ToBigInt(to);
      if (lo > hi) throw new Invalid(`Address range "${entry}" starts after it ends.`);
      return (a) => a.v6 !== undefined && a.v6 >= lo && a.v6 <= hi;
    }
    throw new Invalid(`"${entry}" is not an address range.`);
  }
  if (entry.includes("*")) {
    const parts = entry.split(".");
    if (parts.length !== 4 || !parts.every((p) => p === "*" || (/^\d{1,3}$/.test(p) && Number(p) < 256))) {
      throw new Invalid(`"${entry}" is not a valid wildcard address (use e.g. 192.168.1.*).`);
    }
    return (a) => {
      if (a.v4 === undefined) return false;
      const octets = [a.v4 >>> 24, (a.v4 >>> 16) & 255, (a.v4 >>> 8) & 255, a.v4 & 255];
      return parts.every((p, i) => p === "*" || Number(p) === octets[i]);
    };
  }
  if (entry.includes("/")) {
    const [base, maskText] = entry.split("/");
    if (isIPv4(base)) {
      let mask: number;
      if (isIPv4(maskText)) mask = v4ToInt(maskText);
      else if (/^\d{1,2}$/.test(maskText) && Number(maskText) <= 32) mask = prefixMask4(Number(maskText));
      else throw new Invalid(`"${entry}" has an invalid netmask.`);
      const net = (v4ToInt(base) & mask) >>> 0;
      return (a) => a.v4 !== undefined && ((a.v4 & mask) >>> 0) === net;
    }
    if (isIPv6(base) && /^\d{1,3}$/.test(maskText) && Number(maskText) <= 128) {
      const bits = BigInt(maskText);
      const mask = bits === 0n ? 0n : ((1n << bits) - 1n) << (128n - bits);
      const net = v6ToBigInt(base) & mask;
      return (a) => a.v6 !== undefined && (a.v6 & mask) === net;
    }
    throw new Invalid(`"${entry}" is not a valid subnet (use e.g. 10.0.0.0/8 or 10.0.0.0/255.0.0.0).`);
  }
  if (isIPv4(entry)) {
    const v = v4ToInt(entry);
    return (a) => a.v4 === v;
  }
  if (isIPv6(entry)) {
    const target = classify(entry);
    return (a) => (target.v4 !== undefined && a.v4 === target.v4) || (target.v6 !== undefined && a.v6 === target.v6);
  }
  throw new Invalid(`"${entry}" is not an IP address, subnet, range or wildcard.`);
}

/** Addresses whose verdict a list remembers at most; past that it starts again. */
const MAX_VERDICTS = 4096;

/** Parses the list; throws Invalid naming the first bad entry. */
export function parseAddressList(text: string): AddressList {
  const matchers = text
    // "10.0.0.5 - 10.0.0.9" and "10.0.0.0 / 8" are one entry each.
    .replace(/\s*([-/])\s*/g, "$1")
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(parseEntry);
  // Callers come back from the same few addresses: each verdict is kept with the list (a new list text
  // is a new list, with no verdicts), so an address is parsed once, not on every request.
  const verdicts = new Map<string, boolean>();
  return {
    allows(address: string): boolean {
      let verdict = verdicts.get(address);
      if (verdict === undefined) {
        const a = classify(address);
        verdict = matchers.some((m) => m(a));
        if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
        verdicts.set(address, verdict);
      }
      return verdict;
    },
  };
}

const LOOPBACK = parseAddressList("127.0.0.0/8,::1");

/** Whether a socket address is this machine's loopback (127.0.0.0/8, ::1, or IPv4-mapped loopback). */
export function isLoopback(address: string): boolean {
  return LOOPBACK.allows(address);
}
