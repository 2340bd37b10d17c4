// The request pipeline after the HTTP edge: parse, authenticate, look up the method, check and coerce
// the arguments against the method table, call the service, and encode the result or the fault.
import type { AppContext } from "../context.js";
import { Conflict, Forbidden, Invalid, NotFound, NotSupported, QuireError, Unavailable } from "../kernel/errors.js";
import { formatMoney, MAX_MICROS, parseMoney } from "../kernel/money.js";
import { encode, faultXml, MalformedRequest, parseMethodCall, responseXml, type CodecLimits, type XmlRpcValue } from "./codec.js";
import { describeCall } from "./audit-summary.js";
import type { AuditEntry } from "../audit-log/service.js";
import type { WriteRider } from "../db/database.js";
import { describeSignature, requiredCount, type MethodDefinition, type Param, type Returns } from "./method-table.js";

export const FAULT = {
  /** Dispatch and type errors, as PaperCut's server answers them. */
  noSuchMethod: -1,
  parse: -32700,
  generic: 0,
  auth: 401,
  address: 403,
  notSupported: 501,
  /** The caller's address is over its request rate limit. */
  rateLimited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export class RpcFault extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DispatchOutcome {
  xml: string;
  /** The response already encoded as UTF-8, when the dispatcher keeps it (a frozen, cached result). */
  bytes?: Buffer;
  method: string;
  /** The fault code when the call faulted. */
  faultCode?: number;
}

const JAVA_TYPE: Record<XmlRpcValue["kind"], string> = {
  int: "java.lang.Integer",
  boolean: "java.lang.Boolean",
  string: "java.lang.String",
  double: "java.lang.Double",
  dateTime: "java.util.Date",
  base64: "[B",
  nil: "null",
  array: "java.lang.Object[]",
  struct: "java.util.HashMap",
};

export class Dispatcher {
  private readonly byName = new Map<string, MethodDefinition>();

  constructor(
    private readonly app: AppContext,
    readonly methods: readonly MethodDefinition[],
    private readonly limits?: CodecLimits,
  ) {
    for (const def of methods) {
      for (const name of [def.name, ...def.aliases]) {
        if (this.byName.has(name)) throw new Error(`Method ${name} is declared twice`);
        this.byName.set(name, def);
      }
    }
  }

  lookup(name: string): MethodDefinition | undefined {
    return this.byName.get(name);
  }

  /** Handles one request body from a caller whose address has already been allowed. */
  async dispatch(body: string, address: string): Promise<DispatchOutcome> {
    let methodName = "";
    try {
      let call;
      try {
        call = parseMethodCall(body, this.limits);
      } catch (error) {
        if (error instanceof MalformedRequest) throw new RpcFault(FAULT.parse, `org.apache.xmlrpc.XmlRpcException: Failed to parse XML-RPC request: ${error.message}`);
        throw error;
      }
      methodName = call.methodName;
      const def = this.byName.get(call.methodName);
      let params = call.params;
      let application = "anonymous";
      if (!def || def.needsToken) {
        const token = params[0];
        if (!token || token.kind !== "string") throw new Forbidden("Authentication failed: invalid or missing auth token.");
        // A token is checked without waiting; only the admin password needs the asynchronous check.
        application = this.app.security.tokenApplication(token.value, address) ?? (await this.app.security.authenticate(token.value, address));
        params = params.slice(1);
      } else if (params.length === 1 && params[0].kind === "string") {
        // Some clients send a token to api.getTaskStatus anyway; it takes none, so it is ignored.
        params = [];
      }
      if (!def) throw new RpcFault(FAULT.noSuchMethod, `java.lang.NoSuchMethodException: No method named ${call.methodName} exists in the API.`);
      const args = coerceArguments(def, params);
      this.app.log.debug({ method: def.name, application }, "api call");
      const ctx = { app: this.app, caller: { application, address } };
      let result: unknown;
      if (def.changesState) {
        // The audit row rides in the call's first write unit when the method starts one at once (most
        // do); otherwise, or if that unit failed, it is written on its own after the call succeeded.
        const entry = this.auditEntry(def, args, application, address);
        const rider: WriteRider = { run: (trx) => this.app.auditLog.recordIn(trx, entry), written: false };
        result = await this.app.db.withRider(rider, () => def.call(ctx, args));
        if (!rider.written) await this.recordChange(entry, def.name);
      } else {
        result = await def.call(ctx, args);
      }
      if (def.returns.kind === "strings" && Object.isFrozen(result)) return { ...frozenResponse(result as readonly string[]), method: def.name };
      return { xml: responseXml(encodeResult(def.returns, result)), method: def.name };
    } catch (error) {
      const { code, message } = this.faultOf(error, methodName);
      return { xml: faultXml(code, message), method: methodName || "(unparsed)", faultCode: code };
    }
  }

  private auditEntry(def: MethodDefinition, args: readonly unknown[], application: string, address: string): AuditEntry {
    const { target, detail } = describeCall(def, args);
    return { source: "api", actor: application, address, action: def.name, target, detail };
  }

  /** Audits a committed change on its own. A failure here is logged, not returned: the change itself succeeded. */
  private async recordChange(entry: AuditEntry, method: string): Promise<void> {
    try {
      await this.app.auditLog.record(entry);
    } catch (error) {
      this.app.log.error({ err: error, method }, "could not write the audit entry of an API change");
    }
  }

  private faultOf(error: unknown, methodName: string): { code: number; message: string } {
    if (error instanceof RpcFault) return { code: error.code, message: error.message };
    if (error instanceof QuireError) {
      if (error.faultCode !== undefined) return { code: error.faultCode, message: prefixed(error) };
      if (error instanceof Forbidden) return { code: error.message.startsWith("Access denied") ? FAULT.address : FAULT.auth, message: error.message };
      if (error instanceof NotSupported) return { code: FAULT.notSupported, message: `java.lang.UnsupportedOperationException: ${error.message}` };
      if (error instanceof Unavailable) return { code: FAULT.unavailable, message: `java.lang.IllegalStateException: ${error.message}` };
      return { code: FAULT.generic, message: prefixed(error) };
    }
    this.app.log.error({ err: error, method: methodName }, "unexpected error in API call");
    return { code: FAULT.internal, message: "java.lang.RuntimeException: Internal error while running the method; the server log has the details." };
  }
}

function prefixed(error: QuireError): string {
  if (error instanceof NotFound || error instanceof Invalid) return `java.lang.IllegalArgumentException: ${error.message}`;
  if (error instanceof Conflict) return `java.lang.IllegalStateException: ${error.message}`;
  return `java.lang.Exception: ${error.message}`;
}

function mismatch(def: MethodDefinition, params: readonly XmlRpcValue[], detail: string): RpcFault {
  const received = ["java.lang.String", ...params.map((p) => JAVA_TYPE[p.kind])];
  const shown = def.needsToken ? received : received.slice(1);
  return new RpcFault(FAULT.noSuchMethod, `java.lang.NoSuchMethodException: ${def.name}(${shown.join(", ")}): ${detail}; expected ${describeSignature(def)}`);
}

/** Checks count and types, and turns XML-RPC values into the service's typed arguments. */
export function coerceArguments(def: MethodDefinition, params: readonly XmlRpcValue[]): unknown[] {
  const min = requiredCount(def);
  const max = def.params.length;
  if (params.length < min || params.length > max) {
    const want = min === max ? `${max}` : `${min} to ${max}`;
    throw mismatch(def, params, `${params.length} argument${params.length === 1 ? "" : "s"} after the token, but the method takes ${want}`);
  }
  return params.map((value, i) => coerce(def, params, def.params[i], value));
}

function coerce(def: MethodDefinition, all: readonly XmlRpcValue[], param: Param, value: XmlRpcValue): unknown {
  const bad = (): never => {
    throw mismatch(def, all, `${param.name} must be ${describeKind(param)}`);
  };
  if (value.kind === "nil") {
    if (param.optional) return undefined;
    if (param.kind === "string") return "";
    return bad();
  }
  switch (param.kind) {
    case "string":
      return value.kind === "string" ? value.value : bad();
    case "int":
      return value.kind === "int" ? value.value : bad();
    case "money": {
      if (value.kind === "int") {
        const micros = value.value * 1_000_000;
        if (Math.abs(micros) > MAX_MICROS) throw new RpcFault(FAULT.generic, `java.lang.IllegalArgumentException: ${param.name} ${value.value} is out of range.`);
        return micros;
      }
      if (value.kind === "double") {
        const micros = parseMoney(value.text);
        if (micros === undefined) throw new RpcFault(FAULT.generic, `java.lang.IllegalArgumentException: ${param.name} ${value.text} is out of range.`);
        return micros;
      }
      return bad();
    }
    case "boolean":
      if (value.kind === "boolean") return value.value;
      if (value.kind === "int" && (value.value === 0 || value.value === 1)) return value.value === 1;
      return bad();
    case "strings":
      if (value.kind !== "array") return bad();
      return value.items.map((item) => (item.kind === "string" ? item.value : bad()));
    case "pairs":
      if (value.kind !== "array") return bad();
      return value.items.map((item) => {
        if (item.kind !== "array" || item.items.length !== 2) return bad();
        const [name, val] = item.items;
        if (name.kind !== "string") return bad();
        if (val.kind === "string") return [name.value, val.value];
        if (val.kind === "int") return [name.value, String(val.value)];
        if (val.kind === "double") return [name.value, val.text];
        if (val.kind === "boolean") return [name.value, String(val.value)];
        return bad();
      });
  }
}

function describeKind(param: Param): string {
  switch (param.kind) {
    case "money":
      return "a double";
    case "strings":
      return "an array of strings";
    case "pairs":
      return "an array of [name, value] string arrays";
    default:
      return `a${param.kind === "int" ? "n" : ""} ${param.kind}`;
  }
}

const frozenResponses = new WeakMap<readonly string[], { xml: string; bytes: Buffer }>();

/**
 * The whole response for a frozen array of strings (a cached listUserAccounts page), kept with the array:
 * it cannot change, so it is encoded once, as text and as the UTF-8 bytes sent on the wire. A page of
 * 1,000 names is about 24 kB; encoding it per request was most of that method's cost.
 */
function frozenResponse(items: readonly string[]): { xml: string; bytes: Buffer } {
  let response = frozenResponses.get(items);
  if (response === undefined) {
    const bytes = Buffer.from(responseXml(encode.stringArray(items)), "utf8");
    response = { xml: bytes.toString("utf8"), bytes };
    frozenResponses.set(items, response);
  }
  return response;
}

export function encodeResult(ret: Returns, value: unknown): string {
  switch (ret.kind) {
    case "boolean":
      return encode.boolean(value as boolean);
    case "int":
      return encode.int(value as number);
    case "money":
      return encode.double(formatMoney(value as number));
    case "string":
      return encode.string(value as string);
    case "strings":
      return encode.stringArray(value as readonly string[]);
    case "struct": {
      const record = value as Record<string, unknown>;
      return encode.struct(
        Object.entries(ret.fields).map(([name, kind]) => {
          const v = record[name];
          const xml =
            kind === "boolean" ? encode.boolean(v as boolean) : kind === "int" ? encode.int(v as number) : kind === "money" ? encode.double(formatMoney(v as number)) : encode.string(String(v ?? ""));
          return [name, xml] as const;
        }),
      );
    }
  }
}
