// The HTTP and HTTPS listeners (9191 and 9192 by default). Each edge contributes a route; the first
// route that claims a request answers it. Timeouts cut off slow or idle clients.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TlsMaterial } from "./tls.js";

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Limits that cut off slow or oversized clients (slow-loris, header floods). */
export interface HttpLimits {
  /** Time a client has to send all request headers (ms). */
  headersTimeoutMs: number;
  /** Time a client has to send the whole request, body included (ms). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (ms). */
  keepAliveTimeoutMs: number;
  /** How often the server looks for connections past those deadlines (ms). */
  checkIntervalMs: number;
  /** Total size of the request line and headers (bytes); larger gets 431 and the connection closed. */
  maxHeaderBytes: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 65_000,
  // Node checks every 30 s by default, which would let a slow-loris client stay 50 s; check every second.
  checkIntervalMs: 1_000,
  maxHeaderBytes: 16 * 1024,
};

export interface ListenOptions {
  host?: string;
  httpPort: number;
  httpsPort?: number;
  tls?: TlsMaterial;
  limits?: Partial<HttpLimits>;
}

export interface Listeners {
  httpPort: number;
  httpsPort?: number;
  close(): Promise<void>;
}

function handlerFor(routes: readonly Route[]) {
  return (req: IncomingMessage, res: ServerResponse) => {
    try {
      for (const route of routes) if (route(req, res)) return;
      req.resume();
      const body = "Not found.\n";
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "Content-Length": Buffer.byteLength(body) });
      res.end(body);
    } catch {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" });
      res.end("Internal error.\n");
    }
  };
}

function harden(server: http.Server, limits: HttpLimits): void {
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.maxHeadersCount = 100;
}

function listen(server: http.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

export async function startListeners(routes: readonly Route[], options: ListenOptions): Promise<Listeners> {
  const host = options.host ?? "::";
  const handler = handlerFor(routes);
  const limits = { ...DEFAULT_HTTP_LIMITS, ...options.limits };
  const serverOptions = { maxHeaderSize: limits.maxHeaderBytes, connectionsCheckingInterval: limits.checkIntervalMs };
  const plain = http.createServer(serverOptions, handler);
  harden(plain, limits);
  const httpPort = await listen(plain, options.httpPort, host);
  let secure: https.Server | undefined;
  let httpsPort: number | undefined;
  if (options.httpsPort !== undefined && options.tls) {
    secure = https.createServer({ cert: options.tls.cert, key: options.tls.key, ...serverOptions }, handler);
    harden(secure, limits);
    httpsPort = await listen(secure, options.httpsPort, host);
  }
  return {
    httpPort,
    httpsPort,
    async close() {
      await Promise.all([closeServer(plain), secure ? closeServer(secure) : Promise.resolve()]);
    },
  };
}
