// The HTTP plumbing of the admin interface: cookies, form bodies, and writing responses with the
// security headers every page carries.
import type { IncomingMessage, ServerResponse } from "node:http";
import { TLSSocket } from "node:tls";
import { Invalid } from "../kernel/errors.js";

export const MAX_FORM_BYTES = 256 * 1024;

export interface WebResponse {
  status: number;
  body: string;
  contentType?: string;
  headers?: Record<string, string | string[]>;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    const raw = part.slice(eq + 1).trim();
    try {
      if (!cookies.has(name)) cookies.set(name, decodeURIComponent(raw));
    } catch {
      // a malformed value is ignored, like a missing cookie
    }
  }
  return cookies;
}

export interface CookieOptions {
  secure: boolean;
  maxAgeSeconds?: number;
  path?: string;
}

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${encodeURIComponent(value)}`, `Path=${options.path ?? "/admin"}`, "HttpOnly", "SameSite=Strict"];
  if (options.secure) parts.push("Secure");
  if (options.maxAgeSeconds !== undefined) parts.push(`Max-Age=${options.maxAgeSeconds}`);
  return parts.join("; ");
}

export function isSecure(req: IncomingMessage): boolean {
  return req.socket instanceof TLSSocket;
}

/** Reads an application/x-www-form-urlencoded body, refusing other types and anything over the limit. */
export function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    const type = (req.headers["content-type"] ?? "").toLowerCase();
    if (!type.startsWith("application/x-www-form-urlencoded")) {
      req.resume();
      reject(new Invalid("Forms must be sent as application/x-www-form-urlencoded."));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_FORM_BYTES) {
        reject(new Invalid("The form is too large."));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))));
    req.on("error", reject);
  });
}

const SECURITY_HEADERS: Record<string, string> = {
  "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "X-Content-Type-Options": "nosniff",
  "X-Frame-Options": "DENY",
  "Referrer-Policy": "same-origin",
  "Cache-Control": "no-store",
};

export function writeResponse(res: ServerResponse, response: WebResponse): void {
  const body = Buffer.from(response.body, "utf8");
  res.writeHead(response.status, {
    ...SECURITY_HEADERS,
    "Content-Type": response.contentType ?? "text/html; charset=utf-8",
    "Content-Length": body.length,
    ...response.headers,
  });
  res.end(body);
}

export function redirect(location: string, headers: Record<string, string | string[]> = {}): WebResponse {
  return { status: 303, body: "", contentType: "text/plain; charset=utf-8", headers: { Location: location, ...headers } };
}
