// server-command's subcommands, generated from the method table: names (kebab-case of the method name),
// argument parsing from the parameter kinds, and output formatting from the XML-RPC result. Nothing here
// is written per method, so every method added to the table is a subcommand at once.
import { encode, type XmlRpcValue } from "../rpc/codec.js";
import type { MethodDefinition, Param } from "../rpc/method-table.js";
import { formatMoney, parseMoney } from "../kernel/money.js";

export interface Subcommand {
  /** The name shown in help: PaperCut's documented name where it differs from the rule. */
  readonly name: string;
  /** Other accepted names, including the rule's kebab-case name when `name` differs from it. */
  readonly aliases: readonly string[];
  readonly method: MethodDefinition;
  /** Index of an offset/limit parameter pair the command line may leave out to list everything. */
  readonly pagingAt?: number;
}

/** A command line that does not fit the subcommand: unknown name, wrong count or a badly typed argument. */
export class UsageError extends Error {}

/** `api.lookUpUserNameByIDNo` → `look-up-user-name-by-id-no`. */
export function kebabCase(methodName: string): string {
  return methodName
    .replace(/^api\./, "")
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase();
}

/** Names PaperCut's own server-command uses instead of the rule's. */
const DOCUMENTED_NAMES: Record<string, string> = {
  "api.getConfigValue": "get-config",
  "api.setConfigValue": "set-config",
};

function documentedName(def: MethodDefinition): string | undefined {
  if (DOCUMENTED_NAMES[def.name]) return DOCUMENTED_NAMES[def.name];
  // api.isUserExists is `user-exists` in PaperCut's tool; isSharedAccountExists and isGroupExists follow it.
  const exists = /^api\.is([A-Z]\w*)Exists$/.exec(def.name);
  return exists ? `${kebabCase(exists[1])}-exists` : undefined;
}

function pagingIndex(params: readonly Param[]): number | undefined {
  for (let i = 0; i + 1 < params.length; i++) {
    const [a, b] = [params[i], params[i + 1]];
    if (a.kind === "int" && b.kind === "int" && a.name.toLowerCase() === "offset" && b.name.toLowerCase() === "limit") return i;
  }
  return undefined;
}

export function subcommandsOf(methods: readonly MethodDefinition[]): Subcommand[] {
  const list = methods.map((method): Subcommand => {
    const rule = kebabCase(method.name);
    const documented = documentedName(method);
    return {
      name: documented ?? rule,
      aliases: documented ? [rule] : [],
      method,
      pagingAt: pagingIndex(method.params),
    };
  });
  return list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function findSubcommand(list: readonly Subcommand[], name: string): Subcommand | undefined {
  const wanted = name.toLowerCase();
  return list.find((s) => s.name === wanted || s.aliases.includes(wanted));
}

const isArray = (p: Param): boolean => p.kind === "strings" || p.kind === "pairs";
/** An array parameter in last place takes the rest of the command line. */
const isVariadic = (def: MethodDefinition, i: number): boolean => i === def.params.length - 1 && isArray(def.params[i]);

function describeParam(def: MethodDefinition, i: number): string {
  const p = def.params[i];
  let text: string;
  switch (p.kind) {
    case "int":
      text = `<${p.name}:integer>`;
      break;
    case "money":
      text = `<${p.name}:amount>`;
      break;
    case "boolean":
      text = `<${p.name}:true|false>`;
      break;
    case "strings":
      text = isVariadic(def, i) ? `<${p.name}>...` : `<${p.name}:a,b,...>`;
      break;
    case "pairs":
      text = isVariadic(def, i) ? `<${p.name}:name value ...>` : `<${p.name}:name=value,...>`;
      break;
    default:
      text = `<${p.name}>`;
  }
  return p.optional ? `[${text}]` : text;
}

/** e.g. `adjust-user-account-balance <username> <adjustment:amount> <comment> [<accountName>]`. */
export function usageOf(sub: Subcommand): string {
  const def = sub.method;
  const parts = def.params.map((_, i) => describeParam(def, i));
  if (sub.pagingAt !== undefined) {
    const i = sub.pagingAt;
    const pair = `${parts[i]} ${parts[i + 1]}`.replace(/[[\]]/g, "");
    parts.splice(i, 2, `[${pair}]`);
  }
  return [sub.name, ...parts].join(" ");
}

function requiredCount(def: MethodDefinition): number {
  return def.params.filter((p) => !p.optional).length;
}

export interface ParsedArguments {
  /** The XML of each parameter value, in API order, without the auth token. */
  valuesXml: string[];
  /** Set when the offset/limit pair was left out: the caller pages through everything. */
  pageAll?: { at: number };
}

/** Checks the count and types of the command line's arguments against the method's parameters. */
export function parseArguments(sub: Subcommand, args: readonly string[]): ParsedArguments {
  const def = sub.method;
  const params = def.params;
  const fail = (detail: string): never => {
    throw new UsageError(`${detail}\nUsage: server-command ${usageOf(sub)}`);
  };
  if (sub.pagingAt !== undefined && args.length === sub.pagingAt) {
    const head = parseArguments({ ...sub, pagingAt: undefined }, [...args, "0", "1000"]);
    return { valuesXml: head.valuesXml, pageAll: { at: sub.pagingAt } };
  }
  const min = requiredCount(def);
  const variadic = params.length > 0 && isVariadic(def, params.length - 1);
  const max = variadic ? Infinity : params.length;
  const fixed = variadic ? params.length - 1 : params.length;
  if (args.length < (variadic ? Math.min(min, fixed) : min) || args.length > max) {
    const want = min === max ? `${min}` : max === Infinity ? `at least ${Math.min(min, fixed)}` : `${min} to ${max}`;
    fail(`${sub.name} takes ${want} argument${want === "1" ? "" : "s"}, but ${args.length} ${args.length === 1 ? "was" : "were"} given.`);
  }
  const valuesXml: string[] = [];
  for (let i = 0; i < params.length; i++) {
    const p = params[i];
    if (variadic && i === params.length - 1) {
      const rest = args.slice(i);
      valuesXml.push(p.kind === "pairs" ? pairsXml(p, rest, fail) : encode.stringArray(rest));
      break;
    }
    if (i >= args.length) break;
    valuesXml.push(valueXml(p, args[i], fail));
  }
  return { valuesXml };
}

function valueXml(p: Param, text: string, fail: (detail: string) => never): string {
  switch (p.kind) {
    case "string":
      return encode.string(text);
    case "int": {
      const n = Number(text.trim());
      if (!/^[+-]?\d+$/.test(text.trim()) || n < -(2 ** 31) || n >= 2 ** 31) fail(`${p.name} must be a whole number, not "${text}".`);
      return encode.int(n);
    }
    case "money": {
      const micros = parseMoney(text);
      if (micros === undefined) fail(`${p.name} must be an amount such as 10.00 or -2.5, not "${text}".`);
      return encode.double(formatMoney(micros!));
    }
    case "boolean": {
      const t = text.trim().toLowerCase();
      if (["true", "yes", "y", "1"].includes(t)) return encode.boolean(true);
      if (["false", "no", "n", "0"].includes(t)) return encode.boolean(false);
      return fail(`${p.name} must be true or false, not "${text}".`);
    }
    case "strings":
      return encode.stringArray(text === "" ? [] : text.split(","));
    case "pairs":
      return pairsXml(
        p,
        text === "" ? [] : text.split(",").flatMap((item) => {
          const eq = item.indexOf("=");
          if (eq < 0) fail(`${p.name} must be written name=value,name=value, not "${text}".`);
          return [item.slice(0, eq), item.slice(eq + 1)];
        }),
        fail,
      );
  }
}

function pairsXml(p: Param, flat: readonly string[], fail: (detail: string) => never): string {
  if (flat.length % 2 !== 0) fail(`${p.name} must be given as name value pairs, but ${flat.length} words were given.`);
  const items: string[] = [];
  for (let i = 0; i < flat.length; i += 2) items.push(encode.stringArray([flat[i], flat[i + 1]]));
  return encode.array(items);
}

/** The text printed for a result: plain values on one line, arrays one item a line, structs name=value a line. */
export function formatResult(value: XmlRpcValue): string {
  switch (value.kind) {
    case "array":
      return value.items.map((item) => formatResult(item)).join("");
    case "struct": {
      let out = "";
      for (const [name, v] of value.members) out += `${name}=${formatScalar(v)}\n`;
      return out;
    }
    default:
      return formatScalar(value) + "\n";
  }
}

function formatScalar(value: XmlRpcValue): string {
  switch (value.kind) {
    case "boolean":
      return value.value ? "true" : "false";
    case "int":
      return String(value.value);
    case "double":
    case "dateTime":
      return value.text;
    case "string":
      return value.value;
    case "base64":
      return value.value.toString("base64");
    case "nil":
      return "";
    case "array":
      return value.items.map(formatScalar).join("\t");
    case "struct":
      return [...value.members].map(([k, v]) => `${k}=${formatScalar(v)}`).join("\t");
  }
}

/** Strips the Java-style exception prefixes from a fault string, as PaperCut's clients do. */
export function faultMessage(faultString: string): string {
  return faultString.replace(/^(?:[A-Za-z_$][\w$]*\.)+[\w$]+:\s*/, "");
}
