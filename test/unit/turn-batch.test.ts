// The end-of-turn batch the XML-RPC route writes its answers with.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { turnBatch } from "../../src/server/turn-batch.js";

describe("turnBatch", () => {
  it("runs a turn's tasks together, in order, after the turn's callbacks and before the next timers", async () => {
    const errors: unknown[] = [];
    const later = turnBatch((error) => errors.push(error));
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => setTimeout(resolve, 0));
    later(() => seen.push("a"));
    await Promise.resolve(); // a microtask of the same turn joins the same batch
    later(() => seen.push("b"));
    seen.push("turn");
    assert.deepEqual(seen, ["turn"], "nothing runs before the turn ends");
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, ["turn", "a", "b"]);
    await done;
    assert.deepEqual(errors, []);
  });

  it("keeps running the batch when a task throws, and reports the error", async () => {
    const errors: unknown[] = [];
    const later = turnBatch((error) => errors.push(error));
    const seen: number[] = [];
    later(() => seen.push(1));
    later(() => {
      throw new Error("socket gone");
    });
    later(() => seen.push(3));
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, [1, 3]);
    assert.equal(errors.length, 1);
    assert.match(String(errors[0]), /socket gone/);
  });

  it("puts a task queued while a batch runs into the next batch, which still runs", async () => {
    const later = turnBatch(() => {});
    const seen: string[] = [];
    later(() => {
      seen.push("first");
      later(() => seen.push("queued from the first batch"));
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, ["first"]);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(seen, ["first", "queued from the first batch"]);
  });
});
