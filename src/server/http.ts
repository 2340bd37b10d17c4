// The HTTP and HTTPS listeners (9191 and 9192 by default). Each edge contributes a route; the first
// route that claims a request answers it. Timeouts cut off slow or idle clients.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TlsMaterial } from "./tls.js";

export type Route = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface ListenOptions {
  host?: string;
  httpPort: number;
  httpsPort?: number;
  tls?: TlsMaterial;
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

function harden(server: http.Server): void {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
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
  const plain = http.createServer({ maxHeaderSize: 16 * 1024 }, handler);
  harden(plain);
  const httpPort = await listen(plain, options.httpPort, host);
  let secure: https.Server | undefined;
  let httpsPort: number | undefined;
  if (options.httpsPort !== undefined && options.tls) {
    secure = https.createServer({ cert: options.tls.cert, key: options.tls.key, maxHeaderSize: 16 * 1024 }, handler);
    harden(secure);
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
