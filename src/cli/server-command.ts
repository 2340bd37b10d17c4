// server-command: runs any API method from a shell on the server machine, as PaperCut's utility of the
// same name does. It reads the running server's port and local secret from the data directory and calls
// the XML-RPC API over loopback, so no auth token appears on the command line.
import { readFileSync } from "node:fs";
import http from "node:http";
import { resolve } from "node:path";
import { QuireError } from "../kernel/errors.js";
import { encode, MalformedRequest, methodCallXml, parseMethodResponse, type XmlRpcValue } from "../rpc/codec.js";
import { describeSignature } from "../rpc/method-table.js";
import { METHODS } from "../rpc/methods.js";
import { readLocalAccess, type LocalAccess } from "../server/local-access.js";
import { faultMessage, findSubcommand, formatResult, parseArguments, subcommandsOf, usageOf, UsageError, type Subcommand } from "./subcommands.js";

export const EXIT = { ok: 0, fault: 1, usage: 2, unreachable: 3 } as const;

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

const defaultIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

/** The package version, read directly: this command avoids loading the server's modules so it starts fast. */
function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

const PAGE = 1000;
/** Upper bound on pages fetched when listing everything (100 million items). */
const MAX_PAGES = 100_000;
const REQUEST_TIMEOUT_MS = 300_000;

class ServerFault extends Error {}
class Unreachable extends Error {}

export function helpText(subcommands: readonly Subcommand[]): string {
  const lines = [
    "Usage: server-command [--data-dir DIR] SUBCOMMAND [ARGUMENTS...]",
    "       server-command help SUBCOMMAND",
    "",
    "Runs an API method on the Quire server running for DIR (default: $QUIRE_DATA_DIR or ./data).",
    "Arguments follow the API's parameter order without the auth token; quote arguments with spaces.",
    "Booleans are true/false, amounts plain decimals (10.00, -2.5). Lists print one item a line.",
    "Exit status: 0 success, 1 the server answered with an error, 2 bad command line, 3 server not reachable.",
    "",
    "Options:",
    "  --data-dir DIR   the data directory of the server instance",
    "  -h, --help       this help",
    "  -V, --version    the version",
    "",
    "Subcommands:",
  ];
  for (const sub of subcommands) lines.push(`  ${usageOf(sub)}`);
  return lines.join("\n") + "\n";
}

export function subcommandHelp(sub: Subcommand): string {
  const lines = [`Usage: server-command ${usageOf(sub)}`, "", sub.method.summary, "", `API method: ${describeSignature(sub.method)}`];
  if (sub.aliases.length > 0) lines.push(`Also accepted as: ${sub.aliases.join(", ")}`);
  if (sub.pagingAt !== undefined) lines.push("Leave out offset and limit to list everything.");
  const last = sub.method.params[sub.method.params.length - 1];
  if (last?.kind === "strings") lines.push(`The remaining arguments are the items of ${last.name}.`);
  if (last?.kind === "pairs") lines.push(`The remaining arguments are name value pairs of ${last.name}.`);
  return lines.join("\n") + "\n";
}

function post(access: LocalAccess, body: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const req = http.request(
      {
        host: access.host,
        port: access.httpPort,
        path: access.rpcPath,
        method: "POST",
        headers: { "Content-Type": "text/xml; charset=utf-8", "Content-Length": Buffer.byteLength(body) },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          if (res.statusCode !== 200) reject(new ServerFault(`HTTP ${res.statusCode}: ${text.trim()}`));
          else resolvePromise(text);
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Unreachable("The server did not answer in time.")));
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error instanceof Unreachable) reject(error);
      else reject(new Unreachable(`Cannot connect to the Quire server at ${access.host}:${access.httpPort} (${error.code ?? error.message}); is it running?`));
    });
    req.end(body);
  });
}

async function call(access: LocalAccess, sub: Subcommand, valuesXml: readonly string[]): Promise<XmlRpcValue> {
  const params = sub.method.needsToken ? [encode.string(access.secret), ...valuesXml] : [...valuesXml];
  const text = await post(access, methodCallXml(sub.method.name, params));
  let response;
  try {
    response = parseMethodResponse(text);
  } catch (error) {
    if (error instanceof MalformedRequest) throw new ServerFault(`The server's answer could not be read: ${error.message}`);
    throw error;
  }
  if (response.kind === "fault") throw new ServerFault(faultMessage(response.faultString));
  return response.value;
}

async function run(access: LocalAccess, sub: Subcommand, args: readonly string[], io: CommandIo): Promise<void> {
  const parsed = parseArguments(sub, args);
  if (!parsed.pageAll) {
    io.stdout(formatResult(await call(access, sub, parsed.valuesXml)));
    return;
  }
  const at = parsed.pageAll.at;
  for (let page = 0; page < MAX_PAGES; page++) {
    const values = [...parsed.valuesXml];
    values[at] = encode.int(page * PAGE);
    values[at + 1] = encode.int(PAGE);
    const result = await call(access, sub, values);
    io.stdout(formatResult(result));
    if (result.kind !== "array" || result.items.length < PAGE) return;
  }
}

/** Runs one server-command invocation; returns the exit status. */
export async function runServerCommand(argv: readonly string[], io: CommandIo = defaultIo): Promise<number> {
  const subcommands = subcommandsOf(METHODS);
  let dataDir = io.env.QUIRE_DATA_DIR ?? "./data";
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--data-dir") {
      if (i + 1 >= argv.length) {
        io.stderr("server-command: --data-dir needs a directory\n");
        return EXIT.usage;
      }
      dataDir = argv[++i];
    } else if (arg.startsWith("--data-dir=")) dataDir = arg.slice("--data-dir=".length);
    else if (arg === "-h" || arg === "--help") {
      io.stdout(helpText(subcommands));
      return EXIT.ok;
    } else if (arg === "-V" || arg === "--version") {
      io.stdout(`${packageVersion()}\n`);
      return EXIT.ok;
    } else if (arg.startsWith("-") && arg !== "-") {
      io.stderr(`server-command: unknown option ${arg}\n`);
      return EXIT.usage;
    } else break;
  }
  const name = argv[i];
  const args = argv.slice(i + 1);
  if (name === undefined) {
    io.stderr(helpText(subcommands));
    return EXIT.usage;
  }
  if (name === "help") {
    if (args.length === 0) {
      io.stdout(helpText(subcommands));
      return EXIT.ok;
    }
    const sub = findSubcommand(subcommands, args[0]);
    if (!sub) {
      io.stderr(`server-command: unknown subcommand "${args[0]}"; run server-command --help for the list\n`);
      return EXIT.usage;
    }
    io.stdout(subcommandHelp(sub));
    return EXIT.ok;
  }
  const sub = findSubcommand(subcommands, name);
  if (!sub) {
    io.stderr(`server-command: unknown subcommand "${name}"; run server-command --help for the list\n`);
    return EXIT.usage;
  }
  try {
    parseArguments(sub, args);
    const access = readLocalAccess(resolve(dataDir));
    await run(access, sub, args, io);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`server-command: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof ServerFault) {
      io.stderr(`Error: Unable to execute server command. ${error.message}\n`);
      return EXIT.fault;
    }
    if (error instanceof Unreachable || error instanceof QuireError) {
      io.stderr(`server-command: ${error.message}\n`);
      return EXIT.unreachable;
    }
    io.stderr(`server-command: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.fault;
  }
}
