// A test client over real HTTP that writes XML-RPC requests by hand (independent of the server's own
// codec) and reads responses with the `xmlrpc` package's deserializer.
import http from "node:http";
import https from "node:https";
// @ts-expect-error: the deserializer module has no type declarations
import Deserializer from "xmlrpc/lib/deserializer.js";
import { Readable } from "node:stream";

export type Arg = string | number | boolean | Arg[] | { double: number | string } | { int: number } | null;

export class Fault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(`${faultCode}: ${faultString}`);
  }
}

function escapeText(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Numbers that are integers encode as <int>, others as <double>; {double: x} forces a double. */
export function encodeArg(arg: Arg): string {
  if (arg === null) return "<value><nil/></value>";
  if (typeof arg === "string") return `<value><string>${escapeText(arg)}</string></value>`;
  if (typeof arg === "boolean") return `<value><boolean>${arg ? 1 : 0}</boolean></value>`;
  if (typeof arg === "number") return Number.isInteger(arg) ? `<value><int>${arg}</int></value>` : `<value><double>${arg}</double></value>`;
  if (Array.isArray(arg)) return `<value><array><data>${arg.map(encodeArg).join("")}</data></array></value>`;
  if ("double" in arg) return `<value><double>${arg.double}</double></value>`;
  return `<value><int>${arg.int}</int></value>`;
}

export function methodCallXml(method: string, args: readonly Arg[]): string {
  return `<?xml version="1.0"?><methodCall><methodName>${method}</methodName><params>${args.map((a) => `<param>${encodeArg(a)}</param>`).join("")}</params></methodCall>`;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

const agentHttp = new http.Agent({ keepAlive: true, maxSockets: 64 });
const agentHttps = new https.Agent({ keepAlive: true, rejectUnauthorized: false, maxSockets: 64 });

export function postRaw(
  url: string,
  body: string | Buffer,
  options: { headers?: Record<string, string>; localAddress?: string; method?: string; signal?: AbortSignal } = {},
): Promise<RawResponse> {
  const u = new URL(url);
  const mod = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      {
        hostname: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: options.method ?? "POST",
        agent: options.localAddress ? undefined : u.protocol === "https:" ? agentHttps : agentHttp,
        rejectUnauthorized: false,
        localAddress: options.localAddress,
        signal: options.signal,
        headers: { "Content-Type": "text/xml", ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

export function parseResponse(body: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const d = new Deserializer();
    d.deserializeMethodResponse(Readable.from([body]), (error: (Error & { faultCode?: number; faultString?: string }) | null, value: unknown) => {
      if (error) {
        if (error.faultCode !== undefined) reject(new Fault(error.faultCode, error.faultString ?? ""));
        else reject(error);
      } else resolve(value);
    });
  });
}

export class RpcClient {
  constructor(
    readonly url: string,
    readonly token: string,
    readonly localAddress?: string,
  ) {}

  /** Calls an API method with the token as first parameter. */
  call<T = unknown>(method: string, ...args: Arg[]): Promise<T> {
    return this.callRaw<T>(method, [this.token, ...args]);
  }

  async callRaw<T = unknown>(method: string, args: readonly Arg[]): Promise<T> {
    const res = await postRaw(this.url, methodCallXml(method, args), { localAddress: this.localAddress });
    if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${res.body}`);
    return (await parseResponse(res.body)) as T;
  }

  /** Calls and returns the fault; fails the test if the call succeeds. */
  async fault(method: string, ...args: Arg[]): Promise<Fault> {
    try {
      await this.call(method, ...args);
    } catch (error) {
      if (error instanceof Fault) return error;
      throw error;
    }
    throw new Error(`${method} succeeded but a fault was expected`);
  }

  withToken(token: string): RpcClient {
    return new RpcClient(this.url, token, this.localAddress);
  }

  from(localAddress: string): RpcClient {
    return new RpcClient(this.url, this.token, localAddress);
  }
}
