#!/usr/bin/env node
// Entry point of the `quire` command; the compiled CLI lives in dist/.
import "../dist/src/cli/quire.js";
