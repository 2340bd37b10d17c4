// The page shell (navigation, signed-in user, sign-out) and the form helpers every page uses: labelled
// fields with their error next to them, the CSRF field, pagers, and money and time formats.
import type { IncomingMessage } from "node:http";
import type { AppContext } from "../context.js";
import { formatMoney, type Micros } from "../kernel/money.js";
import { html, qs, type Html, type HtmlValue } from "./html.js";
import type { Session } from "./sessions.js";
import type { UploadedFile, WebResponse } from "./web-io.js";

export const CSRF_FIELD = "_csrf";

/** What a page handler gets: the app, the request's parts and, behind the sign-in gate, the session. */
export interface PageContext {
  app: AppContext;
  req: IncomingMessage;
  path: string;
  query: URLSearchParams;
  form: URLSearchParams;
  /** Files of a multipart/form-data upload, by field name. */
  files: Map<string, UploadedFile>;
  address: string;
  secure: boolean;
  session: Session;
  /** Records a change made through the interface in the audit log, as the signed-in administrator. */
  audit(action: string, target: string, detail: string): Promise<void>;
}

export type FieldErrors = Record<string, string>;

/**
 * The sections in the navigation. A feature that brings its own pages (groups, shared accounts,
 * printers, tasks) adds its entry here and its routes in routes.ts.
 */
export const NAV: ReadonlyArray<{ href: string; label: string; section: string }> = [
  { href: "/admin", label: "Dashboard", section: "dashboard" },
  { href: "/admin/users", label: "Users", section: "users" },
  { href: "/admin/groups", label: "Groups", section: "groups" },
  { href: "/admin/shared-accounts", label: "Shared accounts", section: "shared-accounts" },
  { href: "/admin/printers", label: "Printers", section: "printers" },
  { href: "/admin/logs/transactions", label: "Logs", section: "logs" },
  { href: "/admin/options", label: "Options", section: "options" },
];

export function displayMoney(micros: Micros): string {
  const text = formatMoney(micros);
  const dot = text.indexOf(".");
  return text.length - dot - 1 < 2 ? `${text}0` : text;
}

/** Times are shown in UTC so that every administrator reads the same moment the same way. */
export function displayTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")}`;
}

export function csrfField(session: Session): Html {
  return html`<input type="hidden" name="${CSRF_FIELD}" value="${session.csrfToken}">`;
}

interface FieldOptions {
  name: string;
  label: string;
  value?: string;
  errors?: FieldErrors;
  type?: string;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: string;
  multiline?: boolean;
}

function fieldId(name: string): string {
  return `f-${name.replace(/[^a-zA-Z0-9_-]/g, "-")}`;
}

/** A labelled input (or textarea) with its hint and error; the error is tied to the field for screen readers. */
export function field(o: FieldOptions): Html {
  const id = fieldId(o.name);
  const error = o.errors?.[o.name];
  const described = [o.hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const common = html`id="${id}" name="${o.name}"${o.required ? html` required` : ""}${described ? html` aria-describedby="${described}"` : ""}${error ? html` aria-invalid="true"` : ""}${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ""}${o.inputmode ? html` inputmode="${o.inputmode}"` : ""}`;
  const control = o.multiline
    ? html`<textarea ${common} rows="4">${o.value ?? ""}</textarea>`
    : html`<input type="${o.type ?? "text"}" ${common} value="${o.value ?? ""}">`;
  return html`<div class="field${error ? " has-error" : ""}">
  <label for="${id}">${o.label}</label>
  ${control}
  ${o.hint ? html`<p class="hint" id="${id}-hint">${o.hint}</p>` : ""}
  ${error ? html`<p class="error" id="${id}-error">${error}</p>` : ""}
</div>`;
}

export function checkbox(o: { name: string; label: string; checked: boolean; errors?: FieldErrors }): Html {
  const id = fieldId(o.name);
  const error = o.errors?.[o.name];
  return html`<div class="field checkbox${error ? " has-error" : ""}">
  <input type="checkbox" id="${id}" name="${o.name}" value="1"${o.checked ? html` checked` : ""}>
  <label for="${id}">${o.label}</label>
  ${error ? html`<p class="error" id="${id}-error">${error}</p>` : ""}
</div>`;
}

/** A form-level error (one that belongs to no single field). */
export function formError(errors: FieldErrors | undefined): Html {
  const message = errors?._form;
  return message ? html`<p class="error form-error" role="alert">${message}</p>` : html``;
}

export function pager(path: string, params: Record<string, string | number | undefined>, page: number, more: boolean): Html {
  if (page <= 1 && !more) return html``;
  return html`<nav class="pager" aria-label="Pages">
  ${page > 1 ? html`<a href="${path}${qs({ ...params, page: page - 1 })}" rel="prev">← Previous</a>` : ""}
  <span>Page ${page}</span>
  ${more ? html`<a href="${path}${qs({ ...params, page: page + 1 })}" rel="next">Next →</a>` : ""}
</nav>`;
}

/** The page number from ?page=, at least 1 and bounded. */
export function pageNumber(query: URLSearchParams): number {
  const n = Number(query.get("page") ?? "1");
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
}

export function subnav(items: ReadonlyArray<{ href: string; label: string; current: boolean }>): Html {
  return html`<nav class="subnav" aria-label="Section">${items.map(
    (i) => html`<a href="${i.href}"${i.current ? html` aria-current="page"` : ""}>${i.label}</a>`,
  )}</nav>`;
}

export interface PageOptions {
  title: string;
  section: string;
  body: HtmlValue;
  status?: number;
}

export function page(ctx: PageContext, o: PageOptions): WebResponse {
  const flash = ctx.session.flash;
  ctx.session.flash = undefined;
  return {
    status: o.status ?? 200,
    body: document(
      o.title,
      html`<header class="top">
  <a class="brand" href="/admin">Quire</a>
  <nav class="main" aria-label="Main">${NAV.map((n) => html`<a href="${n.href}"${n.section === o.section ? html` aria-current="page"` : ""}>${n.label}</a>`)}</nav>
  <form class="signout" method="post" action="/admin/logout">${csrfField(ctx.session)}<span>${ctx.session.identity.name}</span> <button type="submit">Sign out</button></form>
</header>
<main id="main">
  <h1>${o.title}</h1>
  ${flash ? html`<p class="flash" role="status">${flash}</p>` : ""}
  ${o.body}
</main>`,
    ),
  };
}

/** A complete HTML document; used directly by the sign-in and error pages, which have no navigation. */
export function document(title: string, body: HtmlValue): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Quire admin</title>
<link rel="stylesheet" href="/admin/assets/admin.css">
<link rel="icon" href="data:,">
<script src="/admin/assets/admin.js" defer></script>
</head>
<body>
${body}
</body>
</html>
`.text;
}
