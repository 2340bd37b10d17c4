import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  API_DOC_FILE,
  COMPATIBILITY_FILE,
  loadReference,
  NOT_SERVED_BEGIN,
  NOT_SERVED_END,
  renderApiReference,
  renderNotServed,
  signatureDifferences,
  withNotServedSection,
} from "../../src/docs/api-reference.js";
import { METHODS } from "../../src/rpc/methods.js";
import { isUnsupported } from "../../src/unsupported/methods.js";
import { REPO_ROOT } from "../support/server-command.js";

const reference = loadReference(REPO_ROOT);
const read = (file: string) => readFileSync(join(REPO_ROOT, file), "utf8");

describe("the method table against PaperCut's public method list", () => {
  it("the reference copy lists PaperCut's 116 public methods", () => {
    assert.equal(reference.length, 116);
    assert.equal(new Set(reference.map((r) => r.name)).size, 116);
  });

  it("every served public method has the reference's parameter kinds, order, optionality and return type", () => {
    const byName = new Map(reference.map((r) => [r.name, r]));
    const problems = METHODS.flatMap((def) => {
      const ref = byName.get(def.name);
      return ref ? signatureDifferences(def, ref) : [];
    });
    assert.deepEqual(problems, []);
  });

  it("signature differences are detected: a missing, retyped or wrongly optional parameter", () => {
    const ref = reference.find((r) => r.name === "api.adjustUserAccountBalance")!;
    const def = METHODS.find((m) => m.name === "api.adjustUserAccountBalance")!;
    const broken = { ...def, params: [def.params[0], { ...def.params[1], kind: "int" as const }, { ...def.params[2], optional: true }] };
    const problems = signatureDifferences(broken, ref);
    assert.equal(problems.length, 3, problems.join("\n"));
  });

  it("every inSeed method is either served or listed as not yet served in docs/compatibility.md", () => {
    const compatibility = read(COMPATIBILITY_FILE);
    const section = compatibility.slice(compatibility.indexOf(NOT_SERVED_BEGIN), compatibility.indexOf(NOT_SERVED_END));
    const served = new Set(METHODS.flatMap((m) => [m.name, ...m.aliases]));
    const unlisted = reference.filter((r) => !served.has(r.name) && !section.includes(`| \`${r.name}\` |`)).map((r) => r.name);
    assert.deepEqual(unlisted, [], "run `npm run docs`");
    const notSupported = METHODS.filter(isUnsupported).filter((m) => !section.includes(`| \`${m.name}\` |`));
    assert.deepEqual(notSupported, [], "every NotSupported method is listed with its reason");
  });

  it("docs/api.md is the current rendering of the method table (run `npm run docs` after changing methods)", () => {
    assert.equal(read(API_DOC_FILE), renderApiReference(METHODS, reference), "docs/api.md is out of date: run `npm run docs` and commit it");
  });

  it("the methods-not-served section of docs/compatibility.md is current (run `npm run docs`)", () => {
    const compatibility = read(COMPATIBILITY_FILE);
    assert.equal(compatibility, withNotServedSection(compatibility, renderNotServed(METHODS, reference)), "docs/compatibility.md is out of date: run `npm run docs`");
  });

  it("docs/api.md documents every served method with its signature, return type and summary", () => {
    const doc = read(API_DOC_FILE);
    for (const def of METHODS) {
      assert.ok(doc.includes(`### ${def.name}\n`), def.name);
      assert.ok(doc.includes(def.summary), `${def.name} summary`);
    }
  });
});
