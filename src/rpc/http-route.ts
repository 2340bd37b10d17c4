// The XML-RPC endpoint on the HTTP edge: POST /rpc/api/xmlrpc. The allowed-callers check runs before
// anything else (on the forwarded client address when the connection is a trusted proxy), then the rate
// limit; bodies are size-limited and must be valid UTF-8.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppContext } from "../context.js";
import { ACCESS_DENIED_MESSAGE } from "../security/service.js";
import { turnBatch } from "../server/turn-batch.js";
import { faultXml } from "./codec.js";
import { FAULT, type Dispatcher, type DispatchOutcome } from "./dispatcher.js";

export const RPC_PATH = "/rpc/api/xmlrpc";
export const DEFAULT_MAX_BODY_BYTES = 8 * 1024 * 1024;
/** How much of an oversized body is still read (and thrown away) so that the client sees the fault. */
export const DEFAULT_MAX_DISCARD_BYTES = 256 * 1024 * 1024;
const DISCARD_TIMEOUT_MS = 15_000;

export interface RpcObserver {
  (outcome: DispatchOutcome, elapsedMs: number): void;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function send(res: ServerResponse, status: number, body: string | Buffer, contentType: string, close = false): void {
  // Encoded once: measuring a string's UTF-8 length and then writing it would flatten and encode it twice.
  const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
  const headers = ["Content-Type", contentType, "Content-Length", String(bytes.length)];
  if (close) headers.push("Connection", "close");
  res.writeHead(status, headers);
  res.end(bytes);
}

export function sendFault(res: ServerResponse, code: number, message: string, close = false): void {
  send(res, 200, faultXml(code, message), "text/xml; charset=utf-8", close);
}

function isXmlLike(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const t = contentType.toLowerCase();
  return t.includes("xml") || t.startsWith("text/plain");
}

export function createRpcRoute(app: AppContext, dispatcher: Dispatcher, options: { maxBodyBytes?: number; maxDiscardBytes?: number; observe?: RpcObserver } = {}) {
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxDiscard = Math.max(maxBody, options.maxDiscardBytes ?? DEFAULT_MAX_DISCARD_BYTES);

  // Answers ready in the same event-loop turn are written together at its end (see turn-batch.ts).
  const whenTurnEnds = turnBatch((error) => app.log.error({ err: error }, "could not write an XML-RPC answer"));

  /**
   * Answers an oversized body with a fault. Clients such as Python's xmlrpc.client send the whole body
   * before reading the answer, so closing the connection at once would show them a connection reset
   * instead of the fault: the rest of the body is read and thrown away (up to maxDiscard bytes, within
   * DISCARD_TIMEOUT_MS) and the fault is sent once it has arrived; beyond that the connection is cut.
   */
  function refuseOversizedBody(req: IncomingMessage, res: ServerResponse, detail: string, cutAtOnce: boolean): void {
    const answer = () => {
      if (!res.headersSent) sendFault(res, FAULT.parse, `org.apache.xmlrpc.XmlRpcException: ${detail}`, true);
    };
    const cut = () => {
      answer();
      res.on("finish", () => req.destroy());
      setTimeout(() => req.destroy(), 1000).unref();
    };
    if (cutAtOnce) return cut();
    let discarded = 0;
    const timer = setTimeout(cut, DISCARD_TIMEOUT_MS);
    timer.unref();
    req.on("data", (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > maxDiscard) {
        clearTimeout(timer);
        cut();
      }
    });
    req.on("end", () => {
      clearTimeout(timer);
      answer();
    });
    req.on("close", () => clearTimeout(timer));
    req.resume();
  }
  return function handleRpc(req: IncomingMessage, res: ServerResponse): boolean {
    const url = req.url ?? "";
    if (url !== RPC_PATH && !(url.startsWith(RPC_PATH) && url.charCodeAt(RPC_PATH.length) === 63 /* ? */)) return false;
    if (req.method !== "POST") {
      res.setHeader("Allow", "POST");
      send(res, 405, "The XML-RPC endpoint accepts POST requests only.\n", "text/plain; charset=utf-8");
      req.resume();
      return true;
    }
    const started = performance.now();
    const address = app.security.clientAddress(req.socket.remoteAddress ?? "", req.headers["x-forwarded-for"]);
    if (!app.security.isAddressAllowed(address)) {
      req.resume();
      sendFault(res, FAULT.address, ACCESS_DENIED_MESSAGE);
      options.observe?.({ xml: "", method: "(refused)", faultCode: FAULT.address }, performance.now() - started);
      return true;
    }
    const retryAfterMs = app.security.takeRequest(address);
    if (retryAfterMs > 0) {
      req.resume();
      sendFault(res, FAULT.rateLimited, app.security.rateLimitedMessage(address, retryAfterMs));
      options.observe?.({ xml: "", method: "(rate limited)", faultCode: FAULT.rateLimited }, performance.now() - started);
      return true;
    }
    if (!isXmlLike(req.headers["content-type"])) {
      req.resume();
      send(res, 415, "The XML-RPC endpoint accepts text/xml request bodies only.\n", "text/plain; charset=utf-8");
      return true;
    }
    const declared = Number(req.headers["content-length"] ?? "0");
    if (declared > maxBody) {
      refuseOversizedBody(req, res, `The request body of ${declared} bytes exceeds the limit of ${maxBody} bytes.`, declared > maxDiscard);
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on("data", (chunk: Buffer) => {
      if (tooBig) return;
      size += chunk.length;
      if (size > maxBody) {
        tooBig = true;
        chunks.length = 0;
        refuseOversizedBody(req, res, `The request body exceeds the limit of ${maxBody} bytes.`, false);
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (tooBig) return;
      let body: string;
      try {
        body = utf8.decode(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      } catch {
        sendFault(res, FAULT.parse, "org.apache.xmlrpc.XmlRpcException: Failed to parse XML-RPC request: the body is not valid UTF-8.");
        return;
      }
      dispatcher
        .dispatch(body, address)
        .then((outcome) => {
          whenTurnEnds(() => {
            send(res, 200, outcome.bytes ?? outcome.xml, "text/xml; charset=utf-8");
            options.observe?.(outcome, performance.now() - started);
          });
        })
        .catch((error: unknown) => {
          app.log.error({ err: error }, "dispatch failed");
          sendFault(res, FAULT.internal, "java.lang.RuntimeException: Internal error.");
        });
    });
    req.on("error", () => {
      /* the client went away; nothing to answer */
    });
    return true;
  };
}
