import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { applyCostAdjustment, applyDiscount, jobCost, pageCosts, paperSizeFromDimensions, parseDiscount, type JobPages, type PrinterCharging } from "../../src/printers/charging.js";
import { formatMoney, parseMoney, type Micros } from "../../src/kernel/money.js";

const m = (text: string): Micros => {
  const v = parseMoney(text);
  if (v === undefined) throw new Error(text);
  return v;
};
const simple = (cost: string): PrinterCharging => ({ model: "SIMPLE", costPerPage: m(cost), advanced: {} });
const pages = (p: Partial<JobPages>): JobPages => ({ totalPages: 1, colorPages: 0, duplex: false, paperSizeName: "", ...p });

const table: PrinterCharging = {
  model: "SIZE_TABLE",
  costPerPage: m("0.07"),
  advanced: {
    "cost.pst.default.enabled": "Y",
    "cost.pst.default.color.simplex": "0.50",
    "cost.pst.default.color.duplex": "0.45",
    "cost.pst.default.grayscale.simplex": "0.10",
    "cost.pst.default.grayscale.duplex": "0.08",
    "cost.pst.A3.enabled": "Y",
    "cost.pst.A3.color.simplex": "1.00",
    "cost.pst.A3.grayscale.simplex": "0.20",
    "cost.pst.A3.grayscale.duplex": "0.15",
    "cost.pst.Letter.enabled": "N",
    "cost.pst.Letter.color.simplex": "9.99",
  },
};

describe("charging: SIMPLE", () => {
  it("charges the cost per page for every page, colour or not, duplex or not", () => {
    assert.equal(jobCost(simple("0.10"), pages({ totalPages: 12, colorPages: 4, duplex: true })), m("1.2"));
    assert.equal(jobCost(simple("0.033333"), pages({ totalPages: 3 })), 99_999);
    assert.equal(jobCost(simple("0"), pages({ totalPages: 500 })), 0);
  });

  it("treats the models with unpublished attributes (AREA, SIZE_DETAILED, SIZE_LENGTH) as the simple page cost", () => {
    for (const model of ["AREA", "SIZE_DETAILED", "SIZE_LENGTH"]) {
      assert.equal(jobCost({ model, costPerPage: m("0.25"), advanced: {} }, pages({ totalPages: 4, colorPages: 2 })), m("1.0"));
    }
  });
});

describe("charging: SIZE_TABLE", () => {
  it("prices colour and grayscale pages from the default row", () => {
    assert.deepEqual(pageCosts(table, { duplex: false, paperSizeName: "A4" }), { color: m("0.50"), grayscale: m("0.10") });
    assert.deepEqual(pageCosts(table, { duplex: true, paperSizeName: "" }), { color: m("0.45"), grayscale: m("0.08") });
    assert.equal(jobCost(table, pages({ totalPages: 10, colorPages: 3 })), m("1.5") + m("0.7"));
  });

  it("uses an enabled size row, matching the size name in any case", () => {
    assert.deepEqual(pageCosts(table, { duplex: false, paperSizeName: "a3" }), { color: m("1.00"), grayscale: m("0.20") });
    assert.deepEqual(pageCosts(table, { duplex: true, paperSizeName: "A3" }), { color: m("1.00"), grayscale: m("0.15") });
  });

  it("ignores a disabled size row", () => {
    assert.deepEqual(pageCosts(table, { duplex: false, paperSizeName: "Letter" }), { color: m("0.50"), grayscale: m("0.10") });
  });

  it("falls back to the simple cost when the table has no usable cell", () => {
    const empty: PrinterCharging = { model: "SIZE_TABLE", costPerPage: m("0.07"), advanced: { "cost.pst.default.color.simplex": "junk" } };
    assert.deepEqual(pageCosts(empty, { duplex: true, paperSizeName: "A4" }), { color: m("0.07"), grayscale: m("0.07") });
  });
});

describe("charging: paper size from dimensions", () => {
  it("names the standard size within 2 mm, in either orientation", () => {
    assert.equal(paperSizeFromDimensions("210", "297"), "A4");
    assert.equal(paperSizeFromDimensions("420", "297"), "A3");
    assert.equal(paperSizeFromDimensions("215.9", "279.4"), "Letter");
    assert.equal(paperSizeFromDimensions("211.5", "298"), "A4");
    assert.equal(paperSizeFromDimensions("279", "432"), "11x17");
    assert.equal(paperSizeFromDimensions("100", "100"), "");
    assert.equal(paperSizeFromDimensions("", "297"), "");
  });
});

describe("charging: SIZE_CATEGORY with discounts", () => {
  const category: PrinterCharging = {
    model: "SIZE_CATEGORY",
    costPerPage: m("0.05"),
    advanced: { "cost.psc.default.cost": "0.50", "cost.psc.A3.cost": "1.00", "cost.psc.grayscale-discount": "80%", "cost.psc.duplex-discount": "40%" },
  };

  it("applies the grayscale discount, then the duplex discount, per page", () => {
    assert.deepEqual(pageCosts(category, { duplex: false, paperSizeName: "A4" }), { color: m("0.50"), grayscale: m("0.10") });
    assert.deepEqual(pageCosts(category, { duplex: true, paperSizeName: "A4" }), { color: m("0.30"), grayscale: m("0.06") });
    assert.deepEqual(pageCosts(category, { duplex: true, paperSizeName: "a3" }), { color: m("0.60"), grayscale: m("0.12") });
  });

  it("reads amount discounts and never goes below zero", () => {
    assert.deepEqual(parseDiscount("0.02"), { kind: "amount", amount: m("0.02") });
    assert.deepEqual(parseDiscount("150%"), { kind: "percent", percentMicros: 100_000_000 });
    assert.equal(parseDiscount("cheap"), undefined);
    assert.equal(applyDiscount(m("0.05"), { kind: "amount", amount: m("0.10") }), 0);
    assert.equal(applyDiscount(m("0.05"), { kind: "percent", percentMicros: 100_000_000 }), 0);
  });
});

describe("charging: the user's cost adjustment rate", () => {
  it("scales the cost by the percentage, exactly, and -1 (null) leaves it alone", () => {
    assert.equal(applyCostAdjustment(m("1.00"), null), m("1.00"));
    assert.equal(applyCostAdjustment(m("1.00"), m("50")), m("0.5"));
    assert.equal(applyCostAdjustment(m("0.10"), m("123.45")), m("0.123450"));
    assert.equal(applyCostAdjustment(m("0.000001"), m("50")), 1, "half a micro rounds away from zero");
    assert.equal(jobCost(simple("0.10"), pages({ totalPages: 3 }), m("200")), m("0.6"));
  });
});

// --- properties --------------------------------------------------------------------------------

const costText = fc.integer({ min: 0, max: 5_000_000 }).map((micros) => formatMoney(micros));
const sizes = ["default", "A4", "A3", "Letter"];
/** Valid tables: in every row a duplex cell is present only beside its simplex cell and never costs more. */
const sizeTable: fc.Arbitrary<PrinterCharging> = fc
  .record({
    costPerPage: fc.integer({ min: 0, max: 5_000_000 }),
    rows: fc.uniqueArray(
      fc.record({
        size: fc.constantFrom(...sizes),
        enabled: fc.boolean(),
        colorSimplex: fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: undefined }),
        colorDuplexLess: fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: undefined }),
        graySimplex: fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: undefined }),
        grayDuplexLess: fc.option(fc.integer({ min: 0, max: 5_000_000 }), { nil: undefined }),
      }),
      { maxLength: 4, selector: (r) => r.size },
    ),
  })
  .map(({ costPerPage, rows }) => {
    const advanced: Record<string, string> = {};
    for (const r of rows) {
      advanced[`cost.pst.${r.size}.enabled`] = r.enabled ? "Y" : "N";
      for (const [colour, simplex, less] of [
        ["color", r.colorSimplex, r.colorDuplexLess],
        ["grayscale", r.graySimplex, r.grayDuplexLess],
      ] as const) {
        if (simplex === undefined) continue;
        advanced[`cost.pst.${r.size}.${colour}.simplex`] = formatMoney(simplex);
        if (less !== undefined) advanced[`cost.pst.${r.size}.${colour}.duplex`] = formatMoney(Math.max(0, simplex - less));
      }
    }
    return { model: "SIZE_TABLE", costPerPage, advanced };
  });
const sizeCategory: fc.Arbitrary<PrinterCharging> = fc
  .record({
    costPerPage: fc.integer({ min: 0, max: 5_000_000 }),
    base: fc.option(costText, { nil: undefined }),
    a3: fc.option(costText, { nil: undefined }),
    gray: fc.option(fc.oneof(costText, fc.integer({ min: 0, max: 150 }).map((p) => `${p}%`)), { nil: undefined }),
    duplex: fc.option(fc.oneof(costText, fc.integer({ min: 0, max: 150 }).map((p) => `${p}.5%`)), { nil: undefined }),
  })
  .map(({ costPerPage, base, a3, gray, duplex }) => {
    const advanced: Record<string, string> = {};
    if (base !== undefined) advanced["cost.psc.default.cost"] = base;
    if (a3 !== undefined) advanced["cost.psc.A3.cost"] = a3;
    if (gray !== undefined) advanced["cost.psc.grayscale-discount"] = gray;
    if (duplex !== undefined) advanced["cost.psc.duplex-discount"] = duplex;
    return { model: "SIZE_CATEGORY", costPerPage, advanced };
  });
const printer = fc.oneof(
  fc.integer({ min: 0, max: 5_000_000 }).map((c): PrinterCharging => ({ model: "SIMPLE", costPerPage: c, advanced: {} })),
  sizeTable,
  sizeCategory,
);
const job = fc
  .record({ totalPages: fc.integer({ min: 1, max: 100_000 }), colorShare: fc.double({ min: 0, max: 1, noNaN: true }), duplex: fc.boolean(), paperSizeName: fc.constantFrom("", "A4", "a3", "Letter", "Tabloid") })
  .map(({ totalPages, colorShare, duplex, paperSizeName }) => ({ totalPages, colorPages: Math.floor(totalPages * colorShare), duplex, paperSizeName }));
const adjustment = fc.option(fc.integer({ min: 0, max: 500_000_000 }), { nil: null });

describe("charging properties", () => {
  it("costs are never negative for valid jobs", () => {
    fc.assert(
      fc.property(printer, job, adjustment, (p, j, adj) => {
        assert.ok(jobCost(p, j, adj) >= 0);
      }),
      { numRuns: 500 },
    );
  });

  it("duplex never costs more than simplex", () => {
    fc.assert(
      fc.property(printer, job, adjustment, (p, j, adj) => {
        assert.ok(jobCost(p, { ...j, duplex: true }, adj) <= jobCost(p, { ...j, duplex: false }, adj));
      }),
      { numRuns: 500 },
    );
  });

  it("totals are exact to the micro: pages × page cost summed in integers, adjusted once with half-away rounding", () => {
    fc.assert(
      fc.property(printer, job, adjustment, (p, j, adj) => {
        const costs = pageCosts(p, j);
        assert.ok(Number.isInteger(costs.color) && Number.isInteger(costs.grayscale));
        const raw = BigInt(j.colorPages) * BigInt(costs.color) + BigInt(j.totalPages - j.colorPages) * BigInt(costs.grayscale);
        let expected = raw;
        if (adj !== null) {
          const num = raw * BigInt(adj);
          const den = 100_000_000n;
          expected = num / den + ((num % den) * 2n >= den ? 1n : 0n);
        }
        assert.equal(BigInt(jobCost(p, j, adj)), expected);
      }),
      { numRuns: 500 },
    );
  });

  it("a job costs the sum of its parts: splitting pages into two jobs changes nothing before adjustment", () => {
    fc.assert(
      fc.property(printer, job, fc.double({ min: 0, max: 1, noNaN: true }), (p, j, split) => {
        const firstTotal = Math.floor(j.totalPages * split);
        const firstColor = Math.min(j.colorPages, firstTotal);
        const a = { ...j, totalPages: firstTotal, colorPages: firstColor };
        const b = { ...j, totalPages: j.totalPages - firstTotal, colorPages: j.colorPages - firstColor };
        assert.equal(jobCost(p, a) + jobCost(p, b), jobCost(p, j));
      }),
      { numRuns: 300 },
    );
  });
});
