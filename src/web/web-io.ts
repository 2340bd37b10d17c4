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
  "Content-Security-Policy": "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
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

export const MAX_UPLOAD_BYTES = 8 * 1024 * 1024;

export interface UploadedFile {
  filename: string;
  data: Buffer;
}

/** Parses a multipart/form-data body held in memory: text fields into `form`, file fields into `files`. */
export function parseMultipart(body: Buffer, boundary: string): { form: URLSearchParams; files: Map<string, UploadedFile> } {
  const form = new URLSearchParams();
  const files = new Map<string, UploadedFile>();
  const delimiter = Buffer.from(`--${boundary}`);
  let start = body.indexOf(delimiter);
  for (let parts = 0; start >= 0 && parts < 100; parts++) {
    start += delimiter.length;
    if (body.subarray(start, start + 2).toString() === "--") break;
    const next = body.indexOf(delimiter, start);
    if (next < 0) throw new Invalid("The uploaded form is incomplete.");
    const part = body.subarray(start + 2, next - 2); // after CRLF, before the CRLF that precedes the delimiter
    const split = part.indexOf("\r\n\r\n");
    if (split < 0) throw new Invalid("The uploaded form is malformed.");
    const headers = part.subarray(0, split).toString("utf8");
    const data = part.subarray(split + 4);
    const name = /name="([^"]*)"/i.exec(headers)?.[1];
    const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
    if (name !== undefined) {
      if (filename !== undefined) files.set(name, { filename, data: Buffer.from(data) });
      else form.append(name, data.toString("utf8"));
    }
    start = next;
  }
  return { form, files };
}

/** Reads a form sent url-encoded or (for uploads) as multipart/form-data. */
export function readFormWithFiles(req: IncomingMessage): Promise<{ form: URLSearchParams; files: Map<string, UploadedFile> }> {
  const type = req.headers["content-type"] ?? "";
  const boundary = /^multipart\/form-data;.*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(type);
  if (!boundary) return readForm(req).then((form) => ({ form, files: new Map() }));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_UPLOAD_BYTES) {
        reject(new Invalid("The upload is too large."));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      try {
        resolve(parseMultipart(Buffer.concat(chunks), boundary[1] ?? boundary[2] ?? ""));
      } catch (error) {
        reject(error);
      }
    });
    req.on("error", reject);
  });
}
