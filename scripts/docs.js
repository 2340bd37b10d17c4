#!/usr/bin/env node
// Writes docs/api.md and the "methods not served" section of docs/compatibility.md from the method table
// (compiled in dist/). Run with `npm run docs`; a test fails when the committed files are out of date.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { API_DOC_FILE, COMPATIBILITY_FILE, loadReference, renderApiReference, renderNotServed, withNotServedSection } from "../dist/src/docs/api-reference.js";
import { METHODS } from "../dist/src/rpc/methods.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const reference = loadReference(root);
writeFileSync(join(root, API_DOC_FILE), renderApiReference(METHODS, reference));
const compatibilityPath = join(root, COMPATIBILITY_FILE);
writeFileSync(compatibilityPath, withNotServedSection(readFileSync(compatibilityPath, "utf8"), renderNotServed(METHODS, reference)));
console.log(`Wrote ${API_DOC_FILE} (${METHODS.length} methods) and the methods-not-served section of ${COMPATIBILITY_FILE}.`);
