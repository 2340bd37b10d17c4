import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { BACKENDS } from "../support/backends.js";
import { startTestServer, type TestServer } from "../support/server.js";

const HEADER = "CardNumber,BatchID,ValueNumber,Value,ExpDate,ExpDateDisplay";

/** Writes a card file as PaperCut's tools do: UTF-16LE with BOM and CRLF line ends. */
function writeCardFile(dir: string, name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from([HEADER, ...lines].join("\r\n") + "\r\n", "utf16le")]));
  return path;
}

const card = (n: string, batch: string, value: string, exp: string) => `"${n}","${batch}","${value}","$${value}","${exp}","${exp.split("-").reverse().join("/")}"`;

for (const backend of BACKENDS) {
  describe(`prepaid top-up cards (${backend})`, () => {
    let t: TestServer;
    let dir: string;
    before(async () => {
      t = await startTestServer(backend);
      dir = mkdtempSync(join(tmpdir(), "quire-cards-"));
      for (const u of ["alice", "bob"]) await t.rpc.call("api.addNewInternalUser", u, "pw", u, "", "", "");
    });
    after(async () => {
      await t?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it("imports a UTF-16 batch file; importing it again adds nothing", async () => {
      const lines = [card("TERM2-000001", "TERM2", "5", "2099-09-30"), card("TERM2-000002", "TERM2", "2.50", "2099-09-30"), card("OLD-1", "OLD", "10", "2020-01-31")];
      for (let i = 0; i < 20; i++) lines.push(card(`RACE-${i}`, "RACE", "1", "2099-12-31"));
      const path = writeCardFile(dir, "batch.csv", lines);
      assert.deepEqual(await t.server.app.cards.importCardFile(path), { imported: 23, alreadyPresent: 0, batches: ["OLD", "RACE", "TERM2"] });
      assert.deepEqual(await t.server.app.cards.importCardFile(path), { imported: 0, alreadyPresent: 23, batches: ["OLD", "RACE", "TERM2"] });
    });

    it("a file with bad lines is refused whole, naming each bad line", async () => {
      const path = writeCardFile(dir, "bad.csv", [card("NEW-1", "NEW", "5", "2099-01-01"), card("NEW-2", "NEW", "abc", "2099-01-01"), card("NEW-3", "NEW", "5", "2099-02-30"), '"NEW-4","NEW"']);
      await assert.rejects(t.server.app.cards.importCardFile(path), (e: Error) => {
        assert.match(e.message, /Line 3: the value "abc" is not a positive number/);
        assert.match(e.message, /Line 4: the expiry date "2099-02-30"/);
        assert.match(e.message, /Line 5: expected 6 fields, found 2/);
        return true;
      });
      assert.equal(await t.rpc.call("api.useCard", "alice", "NEW-1"), "INVALID_CARD_NUMBER");
      const noHeader = join(dir, "noheader.csv");
      writeFileSync(noHeader, card("X", "Y", "1", "2099-01-01") + "\r\n");
      await assert.rejects(t.server.app.cards.importCardFile(noHeader), /Line 1: the first line must be the header/);
      await assert.rejects(t.server.app.cards.importCardFile(join(dir, "missing.csv")), /does not exist on the server/);
    });

    it("useCard credits once, records card and batch, and refuses a used, expired, unknown card or user", async () => {
      assert.equal(await t.rpc.call("api.useCard", "alice", "TERM2-000001"), "SUCCESS");
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "alice"), 5);
      assert.equal(await t.rpc.call("api.useCard", "alice", "TERM2-000001"), "CARD_IS_USED");
      assert.equal(await t.rpc.call("api.useCard", "bob", "TERM2-000001"), "CARD_IS_USED");
      assert.equal(await t.rpc.call("api.useCard", "alice", "OLD-1"), "CARD_HAS_EXPIRED");
      assert.equal(await t.rpc.call("api.useCard", "alice", "NOPE"), "INVALID_CARD_NUMBER");
      assert.equal(await t.rpc.call("api.useCard", "nobody", "TERM2-000002"), "UNKNOWN_USER");
      assert.equal(await t.rpc.call("api.getUserAccountBalance", "alice"), 5);
      const rows = await t.server.app.db.kysely.selectFrom("ledger").select(["amount", "comment", "kind"]).where("kind", "=", "card").execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0].amount, 5_000_000);
      assert.match(rows[0].comment, /TERM2-000001.*batch TERM2/);
    });

    it("two users racing for the same card: exactly one is credited", async () => {
      for (let i = 0; i < 20; i++) {
        const outcomes = await Promise.all([t.rpc.call("api.useCard", "alice", `RACE-${i}`), t.rpc.call("api.useCard", "bob", `RACE-${i}`)]);
        assert.deepEqual([...outcomes].sort(), ["CARD_IS_USED", "SUCCESS"], `card RACE-${i}`);
      }
      const total = (await t.rpc.call<number>("api.getUserAccountBalance", "alice")) + (await t.rpc.call<number>("api.getUserAccountBalance", "bob"));
      assert.equal(total, 5 + 20);
    });
  });
}

describe("quire cards import (command line)", () => {
  it("imports a card file into the data directory", () => {
    const dir = mkdtempSync(join(tmpdir(), "quire-cards-cli-"));
    try {
      const path = writeCardFile(dir, "cards.csv", [card("C-1", "B1", "5", "2099-01-01"), card("C-2", "B1", "5", "2099-01-01")]);
      const bin = fileURLToPath(new URL("../../../bin/quire.js", import.meta.url));
      const run = spawnSync(process.execPath, [bin, "cards", "import", "--data-dir", join(dir, "data"), path], { encoding: "utf8", timeout: 30_000 });
      assert.equal(run.status, 0, run.stderr);
      assert.match(run.stdout, /Imported 2 cards \(batches: B1\); 0 were already present\./);
      const bad = spawnSync(process.execPath, [bin, "cards", "import", "--data-dir", join(dir, "data"), join(dir, "missing.csv")], { encoding: "utf8", timeout: 30_000 });
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /does not exist/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
