import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { formatMoney, parseMoney, scaleMoney } from "../../src/kernel/money.js";

describe("money", () => {
  it("parses decimal text exactly into micros", () => {
    assert.equal(parseMoney("10.01"), 10_010_000);
    assert.equal(parseMoney("-0.01"), -10_000);
    assert.equal(parseMoney("3"), 3_000_000);
    assert.equal(parseMoney(".5"), 500_000);
    assert.equal(parseMoney("1e-05"), 10);
    assert.equal(parseMoney("1.5E+2"), 150_000_000);
    assert.equal(parseMoney("0.1234565"), 123_457);
    assert.equal(parseMoney("-0.0000004"), 0);
  });

  it("refuses text that is not a finite decimal", () => {
    for (const bad of ["", "abc", "1.2.3", "NaN", "inf", "1e", "--1", "1e999", "99999999999999999999"]) assert.equal(parseMoney(bad), undefined, bad);
  });

  it("formats with at least one fraction digit", () => {
    assert.equal(formatMoney(3_000_000), "3.0");
    assert.equal(formatMoney(12_500_000), "12.5");
    assert.equal(formatMoney(-10_000), "-0.01");
    assert.equal(formatMoney(1), "0.000001");
  });

  it("round-trips every amount through its text form", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e15, max: 1e15 }), (micros) => parseMoney(formatMoney(micros)) === micros),
      { numRuns: 5000 },
    );
  });

  it("reads Python's repr of a float as the decimal it shows", () => {
    fc.assert(
      fc.property(fc.integer({ min: -4e11, max: 4e11 }), (cents) => {
        const text = String(cents / 100);
        return parseMoney(text) === cents * 10_000;
      }),
      { numRuns: 5000 },
    );
  });

  it("scales exactly with half-away-from-zero rounding", () => {
    assert.equal(scaleMoney(1_000_000, 1, 3), 333_333);
    assert.equal(scaleMoney(2_000_000, 1, 3), 666_667);
    assert.equal(scaleMoney(-2_000_000, 1, 3), -666_667);
  });
});
