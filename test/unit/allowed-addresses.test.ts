// The allowed-callers list (config key auth.webservices.allowed-addresses): every entry syntax, and
// the normalisation of loopback and IPv4-mapped socket addresses.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Invalid } from "../../src/kernel/errors.js";
import { parseAddressList } from "../../src/security/allowed-addresses.js";

function check(list: string, allowed: string[], refused: string[]): void {
  const parsed = parseAddressList(list);
  for (const a of allowed) assert.equal(parsed.allows(a), true, `${list} should allow ${a}`);
  for (const a of refused) assert.equal(parsed.allows(a), false, `${list} should refuse ${a}`);
}

describe("allowed addresses", () => {
  it("the default list allows localhost over IPv4, IPv6 and IPv4-mapped IPv6 only", () => {
    check("127.0.0.1,::1", ["127.0.0.1", "::1", "::ffff:127.0.0.1", "0:0:0:0:0:0:0:1"], ["127.0.0.2", "10.0.0.1", "::2", "fe80::1", "::ffff:10.0.0.1"]);
  });

  it("an empty list allows nobody (the service substitutes the default for an empty value)", () => {
    check("", [], ["127.0.0.1", "::1"]);
    check(" , ; ", [], ["127.0.0.1"]);
  });

  it("gives the same verdict every time an address comes back, also past the addresses it remembers", () => {
    const list = parseAddressList("10.0.0.0/24");
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 5000; i++) {
        const inside = i % 2 === 0;
        const address = inside ? `10.0.0.${i % 256}` : `10.${1 + (i % 200)}.${(i >> 8) % 256}.${i % 256}`;
        assert.equal(list.allows(address), inside, address);
      }
    }
  });

  it("* allows every address", () => {
    check("*", ["127.0.0.1", "8.8.8.8", "::1", "2001:db8::1", "::ffff:192.0.2.1"], []);
  });

  it("exact IPv4 and IPv6 entries match that address in any spelling", () => {
    check("192.0.2.10", ["192.0.2.10", "::ffff:192.0.2.10", "::FFFF:192.0.2.10"], ["192.0.2.11", "192.0.2.1"]);
    check("2001:db8::1", ["2001:db8::1", "2001:DB8:0:0:0:0:0:1", "2001:0db8:0000::0001"], ["2001:db8::2", "1.2.3.4"]);
    check("::ffff:10.0.0.1", ["10.0.0.1", "::ffff:10.0.0.1"], ["10.0.0.2"]);
  });

  it("::1 and 127.0.0.1 both stand for loopback and allow each other", () => {
    check("::1", ["::1", "127.0.0.1"], ["127.0.0.2"]);
    check("127.0.0.1", ["::1", "127.0.0.1"], ["::2"]);
  });

  it("IPv6 zone identifiers on the socket address are ignored", () => {
    check("fe80::1", ["fe80::1%eth0", "fe80::1"], ["fe80::2%eth0"]);
  });

  it("CIDR blocks for IPv4 and IPv6, including /0 and /32", () => {
    check("10.0.0.0/8", ["10.0.0.0", "10.255.255.255", "::ffff:10.1.2.3"], ["11.0.0.0", "9.255.255.255"]);
    check("192.168.1.0/24", ["192.168.1.1", "192.168.1.254"], ["192.168.2.1"]);
    check("192.168.1.77/32", ["192.168.1.77"], ["192.168.1.78"]);
    check("0.0.0.0/0", ["1.2.3.4", "255.255.255.255"], ["2001:db8::1"]);
    check("fd00::/8", ["fd12:3456::1", "fdff::ffff"], ["fe00::1", "10.0.0.1"]);
    check("2001:db8::/32", ["2001:db8:ffff::1"], ["2001:db9::1"]);
    check("::/0", ["::5", "2001:db8::1"], []);
    check("10.1.2.3/16", ["10.1.99.99"], ["10.2.0.1"]);
  });

  it("address/netmask entries, the syntax of PaperCut's other allow-lists", () => {
    check("10.1.0.0/255.255.0.0", ["10.1.0.1", "10.1.200.200"], ["10.2.0.1"]);
    check("192.168.0.0/255.255.255.0", ["192.168.0.9"], ["192.168.1.9"]);
    check("172.16.0.0/255.240.0.0", ["172.31.255.255", "172.16.0.0"], ["172.32.0.0"]);
  });

  it("dotted wildcards in any octet", () => {
    check("192.168.1.*", ["192.168.1.0", "192.168.1.255", "::ffff:192.168.1.9"], ["192.168.2.1", "2001:db8::1"]);
    check("10.*.*.1", ["10.0.0.1", "10.200.3.1"], ["10.0.0.2"]);
    check("*.*.*.*", ["8.8.8.8"], ["::2"]);
  });

  it("IPv4 and IPv6 ranges, inclusive at both ends", () => {
    check("10.0.0.5-10.0.0.9", ["10.0.0.5", "10.0.0.7", "10.0.0.9"], ["10.0.0.4", "10.0.0.10"]);
    check("10.0.0.250-10.0.1.5", ["10.0.0.255", "10.0.1.0"], ["10.0.1.6"]);
    check("fe80::1-fe80::5", ["fe80::1", "fe80::3", "fe80::5"], ["fe80::6", "fe80::"]);
  });

  it("several entries separated by commas, semicolons or blanks; spaces around - and / are allowed", () => {
    check("127.0.0.1, 10.0.0.0/8;192.168.1.*  2001:db8::1", ["127.0.0.1", "10.9.9.9", "192.168.1.4", "2001:db8::1"], ["11.0.0.1", "192.168.2.4"]);
    check("10.0.0.5 - 10.0.0.9, 172.16.0.0 / 12", ["10.0.0.6", "172.20.0.1"], ["10.0.0.10"]);
  });

  it("refuses malformed entries with a message naming the entry", () => {
    const bad = [
      "10.0.0.300",
      "abc",
      "localhost",
      "10.0.0.0/33",
      "10.0.0.1/abc",
      "256.1.1.1/8",
      "::1/129",
      "192.168.*",
      "192.168.1.300.*",
      "10.0.0.9-10.0.0.5",
      "fe80::5-fe80::1",
      "1.2.3.4-::1",
      "1.2.3.4/",
      "/8",
      "-",
      "127.0.0.1,bogus",
    ];
    for (const entry of bad) {
      assert.throws(
        () => parseAddressList(entry),
        (error: unknown) => error instanceof Invalid && /"[^"]+"/.test(error.message),
        entry,
      );
    }
  });
});
