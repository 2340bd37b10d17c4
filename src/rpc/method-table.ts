// The declarative method table: each API method once, with typed positional parameters (optional trailing
// ones), its return type and the service call. The XML-RPC dispatcher, server-command and the generated
// API reference all read this table.
import type { AppContext } from "../context.js";
import type { Micros } from "../kernel/money.js";
import { isStateChangingName } from "./audit-summary.js";

export type ParamKind = "string" | "int" | "money" | "boolean" | "strings" | "pairs";

export interface Param<K extends ParamKind = ParamKind, T = unknown, O extends boolean = boolean> {
  readonly name: string;
  readonly kind: K;
  readonly optional: O;
  /** Phantom: the TypeScript type the service receives. */
  readonly _type?: T;
}

export const string = (name: string): Param<"string", string, false> => ({ name, kind: "string", optional: false });
export const int = (name: string): Param<"int", number, false> => ({ name, kind: "int", optional: false });
/** A money amount: XML-RPC <double> (or <int>) parsed exactly into micros. */
export const money = (name: string): Param<"money", Micros, false> => ({ name, kind: "money", optional: false });
export const boolean = (name: string): Param<"boolean", boolean, false> => ({ name, kind: "boolean", optional: false });
/** array<string>, e.g. a list of property names. */
export const strings = (name: string): Param<"strings", string[], false> => ({ name, kind: "strings", optional: false });
/** array<array<string>> of [name, value] pairs. */
export const pairs = (name: string): Param<"pairs", Array<[string, string]>, false> => ({ name, kind: "pairs", optional: false });
export function optional<K extends ParamKind, T>(param: Param<K, T, false>): Param<K, T | undefined, true> {
  return { ...param, optional: true } as Param<K, T | undefined, true>;
}

export type StructFieldKind = "boolean" | "int" | "money" | "string";

export type Returns =
  | { kind: "boolean" }
  | { kind: "int" }
  | { kind: "money" }
  | { kind: "string" }
  | { kind: "strings" }
  | { kind: "struct"; fields: Record<string, StructFieldKind> };

export const returns = {
  boolean: { kind: "boolean" } as const,
  int: { kind: "int" } as const,
  /** A <double> money amount, from micros. */
  money: { kind: "money" } as const,
  string: { kind: "string" } as const,
  strings: { kind: "strings" } as const,
  struct: <F extends Record<string, StructFieldKind>>(fields: F) => ({ kind: "struct" as const, fields }),
};

type ValueOf<R extends Returns> = R extends { kind: "boolean" }
  ? boolean
  : R extends { kind: "int" }
    ? number
    : R extends { kind: "money" }
      ? Micros
      : R extends { kind: "string" }
        ? string
        : R extends { kind: "strings" }
          ? readonly string[]
          : R extends { kind: "struct"; fields: infer F }
            ? { [K in keyof F]: F[K] extends "boolean" ? boolean : F[K] extends "string" ? string : number }
            : never;

type ArgsOf<P extends readonly Param[]> = { [I in keyof P]: P[I] extends Param<ParamKind, infer T, boolean> ? T : never };

/** Who is calling: the application name of the matched token ("admin" for the admin password), and the address. */
export interface Caller {
  application: string;
  address: string;
}

export interface CallContext {
  app: AppContext;
  caller: Caller;
}

export interface MethodDefinition {
  readonly name: string;
  /** Other wire names accepted for the same method (e.g. the seed's api.RemoveGroup). */
  readonly aliases: readonly string[];
  readonly params: readonly Param[];
  readonly returns: Returns;
  readonly summary: string;
  /** False only for api.getTaskStatus, which takes no auth token. */
  readonly needsToken: boolean;
  /** Starts background work reported through api.getTaskStatus. */
  readonly background: boolean;
  /** Changes state, so each successful call is written to the audit log. */
  readonly changesState: boolean;
  readonly call: (ctx: CallContext, args: readonly unknown[]) => Promise<unknown>;
}

export interface MethodOptions {
  summary: string;
  aliases?: string[];
  needsToken?: boolean;
  background?: boolean;
  /** Defaults to the naming rule: get…, is…, list… and lookUp… methods only read. */
  changesState?: boolean;
}

export function method<const P extends readonly Param[], R extends Returns>(
  name: string,
  params: P,
  ret: R,
  options: MethodOptions,
  call: (ctx: CallContext, ...args: ArgsOf<P>) => Promise<ValueOf<R>> | ValueOf<R>,
): MethodDefinition {
  let seenOptional = false;
  for (const p of params) {
    if (p.optional) seenOptional = true;
    else if (seenOptional) throw new Error(`${name}: required parameter ${p.name} after an optional one`);
  }
  return {
    name,
    aliases: options.aliases ?? [],
    params,
    returns: ret,
    summary: options.summary,
    needsToken: options.needsToken ?? true,
    background: options.background ?? false,
    changesState: options.changesState ?? isStateChangingName(name),
    call: async (ctx, args) => call(ctx, ...(args as ArgsOf<P>)),
  };
}

export function requiredCount(def: MethodDefinition): number {
  return def.params.filter((p) => !p.optional).length;
}

/** A readable signature, e.g. api.adjustUserAccountBalance(authToken: string, username: string, adjustment: double, comment: string, [accountName: string]). */
export function describeSignature(def: MethodDefinition): string {
  const parts = def.needsToken ? ["authToken: string"] : [];
  for (const p of def.params) {
    const text = `${p.name}: ${WIRE_TYPE[p.kind]}`;
    parts.push(p.optional ? `[${text}]` : text);
  }
  return `${def.name}(${parts.join(", ")})`;
}

export const WIRE_TYPE: Record<ParamKind, string> = {
  string: "string",
  int: "int",
  money: "double",
  boolean: "boolean",
  strings: "array<string>",
  pairs: "array<array<string>>",
};

export const RETURN_WIRE_TYPE: Record<Returns["kind"], string> = {
  boolean: "boolean",
  int: "int",
  money: "double",
  string: "string",
  strings: "array<string>",
  struct: "struct",
};
