import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { dueRuns, formatCustomDates, latestDueRun, parseQuotaPeriod, runsOn, utcZone } from "../../src/groups/quota-schedule.js";

const at = (y: number, m: number, d: number, h = 0, min = 0) => Date.UTC(y, m - 1, d, h, min);

describe("quota periods", () => {
  it("accepts the keywords in any case", () => {
    for (const p of ["none", "Daily", "WEEKLY", " monthly "]) assert.equal(parseQuotaPeriod(p).period, p.trim().toUpperCase());
  });

  it("parses custom date lists with * for the year or the year and month", () => {
    const s = parseQuotaPeriod("2010-03-15, *-08-01,*-*-1");
    assert.equal(s.period, "CUSTOM");
    assert.deepEqual(s.customDates, [
      { year: 2010, month: 3, day: 15 },
      { year: null, month: 8, day: 1 },
      { year: null, month: null, day: 1 },
    ]);
    assert.equal(formatCustomDates(s.customDates), "2010-03-15,*-08-01,*-*-01");
  });

  it("refuses unknown words, impossible dates and a wildcard day", () => {
    for (const bad of ["", "CUSTOM", "FORTNIGHTLY", "2010-13-01", "2010-02-30", "*-02-30", "2010-03-*", "2010-*-01", ",", "15/03/2010"]) {
      assert.throws(() => parseQuotaPeriod(bad), /quota/i, bad);
    }
  });
});

describe("quota runs", () => {
  const daily = parseQuotaPeriod("DAILY");
  const weekly = parseQuotaPeriod("WEEKLY");
  const monthly = parseQuotaPeriod("MONTHLY");

  it("daily runs at 00:10, weekly on Sunday 00:20, monthly on the 1st at 00:30", () => {
    assert.deepEqual(dueRuns(daily, at(2030, 1, 1, 12), at(2030, 1, 3, 12), utcZone), [
      { at: at(2030, 1, 2, 0, 10), key: "DAILY:2030-01-02" },
      { at: at(2030, 1, 3, 0, 10), key: "DAILY:2030-01-03" },
    ]);
    // 2030-01-06 is a Sunday.
    assert.deepEqual(dueRuns(weekly, at(2030, 1, 1), at(2030, 1, 14), utcZone), [
      { at: at(2030, 1, 6, 0, 20), key: "WEEKLY:2030-01-06" },
      { at: at(2030, 1, 13, 0, 20), key: "WEEKLY:2030-01-13" },
    ]);
    assert.deepEqual(dueRuns(monthly, at(2030, 1, 15), at(2030, 3, 1, 0, 30), utcZone).map((r) => r.key), ["MONTHLY:2030-02-01", "MONTHLY:2030-03-01"]);
  });

  it("the window is open at the start and closed at the end", () => {
    assert.equal(latestDueRun(daily, at(2030, 1, 2, 0, 10), at(2030, 1, 2, 23), utcZone), undefined);
    assert.equal(latestDueRun(daily, at(2030, 1, 2, 0, 9), at(2030, 1, 2, 0, 10), utcZone)?.key, "DAILY:2030-01-02");
    assert.equal(latestDueRun(daily, at(2030, 1, 2), at(2030, 1, 1), utcZone), undefined);
  });

  it("custom dates: exact, every year, every month; leap days only in leap years", () => {
    const custom = parseQuotaPeriod("2031-03-15,*-08-01,*-*-20,*-02-29");
    assert.equal(runsOn(custom, 2031, 3, 15), true);
    assert.equal(runsOn(custom, 2032, 3, 15), false);
    assert.equal(runsOn(custom, 2040, 8, 1), true);
    assert.equal(runsOn(custom, 2040, 11, 20), true);
    assert.deepEqual(dueRuns(custom, at(2031, 1, 1), at(2033, 1, 1), utcZone).filter((r) => r.key.endsWith("-02-29")).map((r) => r.key), ["CUSTOM:2032-02-29"]);
  });

  it("NONE never runs", () => {
    assert.deepEqual(dueRuns(parseQuotaPeriod("NONE"), at(2030, 1, 1), at(2030, 12, 31), utcZone), []);
  });

  it("latestDueRun is the last of dueRuns, and every due run lies inside the window", () => {
    const schedules = [daily, weekly, monthly, parseQuotaPeriod("*-*-15,*-06-30,2031-01-01")];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 }), fc.integer({ min: at(2029, 1, 1), max: at(2032, 1, 1) }), fc.integer({ min: 0, max: 200 * 86_400_000 }), (i, from, span) => {
        const runs = dueRuns(schedules[i], from, from + span, utcZone);
        for (const r of runs) assert.ok(r.at > from && r.at <= from + span);
        assert.equal(new Set(runs.map((r) => r.key)).size, runs.length);
        assert.deepEqual(latestDueRun(schedules[i], from, from + span, utcZone), runs.at(-1));
      }),
      { numRuns: 200 },
    );
  });
});
