import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { rowBuilder } from "../../src/db/database.js";

describe("rowBuilder (SQLite rows from raw arrays)", () => {
  it("names each value by its column, in order", () => {
    const build = rowBuilder(["id", "username", "balance"]);
    assert.deepEqual(build([7, "alice", 1_500_000]), { id: 7, username: "alice", balance: 1_500_000 });
  });

  it("takes the value itself for a single-column statement", () => {
    assert.deepEqual(rowBuilder(["username"], true)("bob"), { username: "bob" });
  });

  it("keeps a later duplicate column name, as better-sqlite3 does", () => {
    assert.deepEqual(rowBuilder(["id", "id"])([1, 2]), { id: 2 });
  });

  it("treats odd column names as plain keys, __proto__ included", () => {
    const row = rowBuilder(["__proto__", 'a"b', "x y", "constructor"])([1, 2, 3, 4]);
    assert.equal(Object.getPrototypeOf(row), Object.prototype);
    assert.deepEqual(Object.keys(row), ["__proto__", 'a"b', "x y", "constructor"]);
    assert.equal(Object.getOwnPropertyDescriptor(row, "__proto__")?.value, 1);
    assert.equal(row['a"b'], 2);
  });
});
