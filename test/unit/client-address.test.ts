import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clientAddressOf } from "../../src/security/client-address.js";
import { parseAddressList } from "../../src/security/allowed-addresses.js";
import { RateLimiter, parseRateLimit } from "../../src/security/rate-limit.js";

describe("client address behind proxies", () => {
  const trusted = parseAddressList("10.0.0.1, 10.0.0.2");
  it("ignores X-Forwarded-For from a connection that is not a trusted proxy", () => {
    assert.equal(clientAddressOf("192.0.2.9", "198.51.100.7", trusted), "192.0.2.9");
  });
  it("takes the forwarded client from a trusted proxy", () => {
    assert.equal(clientAddressOf("10.0.0.1", "198.51.100.7", trusted), "198.51.100.7");
  });
  it("skips trusted proxies from the right and stops at the first untrusted hop, so a forged left part is ignored", () => {
    assert.equal(clientAddressOf("10.0.0.1", "127.0.0.1, 198.51.100.7, 10.0.0.2", trusted), "198.51.100.7");
    assert.equal(clientAddressOf("10.0.0.1", ["1.1.1.1", "198.51.100.7"], trusted), "198.51.100.7");
  });
  it("reads hops with ports and bracketed IPv6", () => {
    assert.equal(clientAddressOf("10.0.0.1", "198.51.100.7:5123", trusted), "198.51.100.7");
    assert.equal(clientAddressOf("10.0.0.1", "[2001:db8::5]:443", trusted), "2001:db8::5");
  });
  it("returns a hop that is not an address as is (it matches only the * entry of the allowed list)", () => {
    assert.equal(clientAddressOf("10.0.0.1", "unknown", trusted), "unknown");
    assert.equal(parseAddressList("127.0.0.1").allows("unknown"), false);
  });
  it("falls back to the left-most hop when every hop is a trusted proxy, and to the socket on an empty header", () => {
    assert.equal(clientAddressOf("10.0.0.1", "10.0.0.2", trusted), "10.0.0.2");
    assert.equal(clientAddressOf("10.0.0.1", "", trusted), "10.0.0.1");
  });
});

describe("rate limiter", () => {
  it("is off by default", () => {
    const limiter = new RateLimiter(parseRateLimit("0", ""));
    for (let i = 0; i < 1000; i++) assert.equal(limiter.take("a", 0), 0);
  });
  it("allows a burst, then one request per 1/rate seconds, per address", () => {
    const limiter = new RateLimiter(parseRateLimit("10", "3"));
    assert.deepEqual([0, 0, 0].map(() => limiter.take("a", 1000)), [0, 0, 0]);
    assert.equal(limiter.take("a", 1000), 100);
    assert.equal(limiter.take("b", 1000), 0);
    assert.equal(limiter.take("a", 1050), 50);
    assert.equal(limiter.take("a", 1100), 0);
    assert.equal(limiter.take("a", 1100), 100);
  });
  it("defaults the burst to two seconds' worth and refuses values that are not numbers", () => {
    assert.deepEqual(parseRateLimit("50", ""), { perSecond: 50, burst: 100 });
    assert.throws(() => parseRateLimit("fast", ""), /auth\.webservices\.rate-limit must be a number/);
    assert.throws(() => parseRateLimit("5", "-1"), /rate-limit-burst/);
  });
});
