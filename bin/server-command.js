#!/usr/bin/env node
// Entry point of the `server-command` utility; the compiled CLI lives in dist/.
import { runServerCommand } from "../dist/src/cli/server-command.js";

process.exitCode = await runServerCommand(process.argv.slice(2));
