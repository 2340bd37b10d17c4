import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { JOB_KEYS, parseJobDetails, parseJobTime, splitCsvRecord } from "../../src/jobs/job-details.js";
import { Invalid } from "../../src/kernel/errors.js";

function invalid(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseJobDetails(text),
    (e: unknown) => e instanceof Invalid && pattern.test(e.message),
  );
}

describe("job details string", () => {
  it("parses the minimum string with the documented defaults", () => {
    const job = parseJobDetails("user=jsmith,server=ps01,printer=Library");
    assert.equal(job.user, "jsmith");
    assert.equal(job.server, "ps01");
    assert.equal(job.printer, "Library");
    assert.equal(job.time, undefined);
    assert.equal(job.cost, undefined);
    assert.equal(job.totalPages, 1);
    assert.equal(job.colorPages, 0);
    assert.equal(job.copies, 1);
    assert.equal(job.duplex, false);
    assert.equal(job.grayscale, true);
    assert.equal(job.jobType, "PRINT");
    assert.equal(job.invoice, false);
    assert.equal(job.sharedAccount, "");
  });

  it("reads every key of the reference", () => {
    const job = parseJobDetails(
      'user=jsmith,server=ps01,"printer=Lab, east",time=20240131T093000,cost=1.25,total-pages=12,total-color-pages=4,copies=2,' +
        '"document-name=Thesis ""final"", v2.pdf",duplex=TRUE,grayscale=FALSE,job-type=copy,paper-size-name=A4,paper-width-mm=210,' +
        "paper-height-mm=297.5,document-size-kb=1536,invoice=TRUE,comment=Poster,client-machine=pc-12,client-ip=10.1.2.3,shared-account=Science\\Chemistry",
    );
    assert.equal(job.printer, "Lab, east");
    assert.equal(job.time, new Date(2024, 0, 31, 9, 30, 0).getTime());
    assert.equal(job.cost, 1_250_000);
    assert.equal(job.totalPages, 12);
    assert.equal(job.colorPages, 4);
    assert.equal(job.copies, 2);
    assert.equal(job.documentName, 'Thesis "final", v2.pdf');
    assert.equal(job.duplex, true);
    assert.equal(job.grayscale, false);
    assert.equal(job.jobType, "COPY");
    assert.equal(job.paperSizeName, "A4");
    assert.equal(job.paperWidthMm, "210");
    assert.equal(job.paperHeightMm, "297.5");
    assert.equal(job.documentSizeKb, 1536);
    assert.equal(job.invoice, true);
    assert.equal(job.comment, "Poster");
    assert.equal(job.clientMachine, "pc-12");
    assert.equal(job.clientIp, "10.1.2.3");
    assert.equal(job.sharedAccount, "Science\\Chemistry");
  });

  it("reads doubled quotes inside an unquoted field, as in the manual's example", () => {
    const job = parseJobDetails('user=pkaur,server=copier-gw,printer=MFD-3,job-type=COPY,total-pages=30,document-name=""Board pack"" copy');
    assert.equal(job.documentName, '"Board pack" copy');
  });

  it("splits at the first = only, keeps values verbatim, and lets the last duplicate win", () => {
    const job = parseJobDetails("user=a,server=s1,printer=p,comment= a=b ,server=s2");
    assert.equal(job.comment, " a=b ");
    assert.equal(job.server, "s2");
  });

  it("accepts keys in any case and ignores empty fields", () => {
    const job = parseJobDetails("User=a,,SERVER=s,printer=p,");
    assert.equal(job.user, "a");
    assert.equal(job.server, "s");
  });

  it("names every missing required field", () => {
    invalid("server=s", /missing the required fields: user, printer\./);
    invalid("user=a,server=s,printer=", /missing the required field: printer\./);
    invalid("", /missing the required fields: user, server, printer\./);
  });

  it("refuses unknown keys and names them", () => {
    invalid("user=a,server=s,printer=p,paper-size=A4,colour=yes", /unknown fields: paper-size, colour\. Known fields are user, server, printer/);
  });

  it("refuses unparseable values with the field named", () => {
    invalid("user=a,server=s,printer=p,total-pages=ten", /total-pages="ten" is not a whole number/);
    invalid("user=a,server=s,printer=p,cost=-1", /cost="-1" is not an amount of zero or more/);
    invalid("user=a,server=s,printer=p,cost=1,50", /not of the form name=value/);
    invalid("user=a,server=s,printer=p,duplex=maybe", /duplex="maybe" is not TRUE or FALSE/);
    invalid("user=a,server=s,printer=p,time=2024-01-31 09:30", /time=.* is not of the form yyyyMMddTHHmmss/);
    invalid("user=a,server=s,printer=p,time=20240230T093000", /not a valid date/);
    invalid("user=a,server=s,printer=p,job-type=PLOT", /job-type=PLOT is not one of PRINT, COPY, SCAN, FAX/);
    invalid("user=a,server=s,printer=p,client-ip=300.1.1.1", /client-ip=300\.1\.1\.1 is not an IP address/);
    invalid("user=a,server=s,printer=p,total-pages=2,total-color-pages=3", /total-color-pages=3 is more than total-pages=2/);
    invalid('user=a,server=s,"printer=p', /unterminated quoted field/);
    invalid('user=a,server=s,"printer=p"x', /text after the closing quote/);
    invalid("user=a,server=s\\t,printer=p", /must not contain a backslash/);
  });

  it("derives grayscale from the colour page count, and a non-grayscale job without a count is all colour", () => {
    assert.equal(parseJobDetails("user=a,server=s,printer=p,total-pages=5,total-color-pages=2").grayscale, false);
    const allColour = parseJobDetails("user=a,server=s,printer=p,total-pages=5,grayscale=FALSE");
    assert.equal(allColour.colorPages, 5);
    const forcedGray = parseJobDetails("user=a,server=s,printer=p,total-pages=5,total-color-pages=2,grayscale=TRUE");
    assert.equal(forcedGray.colorPages, 0);
  });

  it("parses job times as server local time", () => {
    assert.equal(parseJobTime("20150913T142501"), new Date(2015, 8, 13, 14, 25, 1).getTime());
  });

  // A writer of the format as the manual describes it: quote a pair that holds a comma or a quote, double the quotes.
  function writeField(name: string, value: string): string {
    const pair = `${name}=${value}`;
    return /[",]/.test(pair) ? `"${pair.replace(/"/g, '""')}"` : pair;
  }

  it("round-trips any values written with per-field CSV quoting", () => {
    const textValue = fc.string({ maxLength: 40 }).filter((s) => s.trim() === s && !s.includes("\\"));
    fc.assert(
      fc.property(textValue.filter((s) => s !== ""), textValue.filter((s) => s !== ""), fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (server, printer, doc, comment) => {
        const line = [writeField("user", "u1"), writeField("server", server), writeField("printer", printer), writeField("document-name", doc), writeField("comment", comment)].join(",");
        const job = parseJobDetails(line);
        assert.equal(job.server, server);
        assert.equal(job.printer, printer);
        assert.equal(job.documentName, doc);
        assert.equal(job.comment, comment);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws anything but Invalid on arbitrary input", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (s) => {
        try {
          parseJobDetails(s);
        } catch (e) {
          assert.ok(e instanceof Invalid, String(e));
        }
      }),
      { numRuns: 500 },
    );
  });

  it("splits a CSV record with quoted and unquoted fields", () => {
    assert.deepEqual(splitCsvRecord('a=1,"b=2,3", "c=""x"""'), ["a=1", "b=2,3", 'c="x"']);
    assert.equal(JOB_KEYS.length, 21);
  });
});
