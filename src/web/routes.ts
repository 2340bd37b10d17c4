// The admin interface's routes under /admin. Everything but the sign-in page and the static assets
// needs a session; every POST needs the session's CSRF token and, when the browser sends one, an
// Origin of this server. Pages call the services, never the database.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppContext } from "../context.js";
import { Conflict, Forbidden, Invalid, NotFound, QuireError } from "../kernel/errors.js";
import type { Route } from "../server/http.js";
import { builtInAdmin, grantedInternalUsers, type AdminAuthenticator } from "./admin-login.js";
import { ADMIN_CSS, ADMIN_JS } from "./assets.js";
import { html } from "./html.js";
import { CSRF_FIELD, document, type PageContext } from "./layout.js";
import { LoginThrottle, type ThrottleRules } from "./login-throttle.js";
import { showGroup, showGroups, showSharedAccount, showSharedAccounts, submitSharedAdjustment } from "./pages/accounts-groups.js";
import { showDashboard } from "./pages/dashboard.js";
import { LOGIN_COOKIE, renderLogin, SESSION_COOKIE, submitLogin } from "./pages/login.js";
import { showAuditLog, showTransactionLog } from "./pages/logs.js";
import { showApi, showConfigEdit, showConfigEditor, showGeneral, submitAddToken, submitAllowedCallers, submitConfigValue, submitGeneral, submitPassword, submitRevokeToken } from "./pages/options.js";
import { showPrinters, submitPrinterState } from "./pages/printers.js";
import { showBackups, showCards, showDirectory, showTaskStatus, submitBackupNow, submitCardImport, submitDirectorySettings, submitSync } from "./pages/tasks.js";
import { showUser, showUsers, submitAdjustment, submitProperties } from "./pages/users.js";
import { SessionStore, tokensMatch, type SessionLimits } from "./sessions.js";
import { isSecure, parseCookies, readForm, readFormWithFiles, redirect, serializeCookie, writeResponse, type UploadedFile, type WebResponse } from "./web-io.js";

export const ADMIN_PREFIX = "/admin";

type Handler = (ctx: PageContext) => Promise<WebResponse>;

/** Method and exact path → page. Features that bring their own pages add their entries here. */
const PAGES: Record<string, Handler> = {
  "GET /admin": showDashboard,
  "GET /admin/users": showUsers,
  "GET /admin/user": showUser,
  "POST /admin/user/adjust": submitAdjustment,
  "POST /admin/user/properties": submitProperties,
  "GET /admin/shared-accounts": showSharedAccounts,
  "GET /admin/shared-account": showSharedAccount,
  "POST /admin/shared-account/adjust": submitSharedAdjustment,
  "GET /admin/groups": showGroups,
  "GET /admin/group": showGroup,
  "GET /admin/logs/transactions": showTransactionLog,
  "GET /admin/logs/audit": showAuditLog,
  "GET /admin/options": showGeneral,
  "POST /admin/options/general": submitGeneral,
  "POST /admin/options/password": submitPassword,
  "GET /admin/options/api": showApi,
  "POST /admin/options/allowed-callers": submitAllowedCallers,
  "POST /admin/options/tokens/add": submitAddToken,
  "POST /admin/options/tokens/revoke": submitRevokeToken,
  "GET /admin/options/config": showConfigEditor,
  "GET /admin/options/config/edit": showConfigEdit,
  "POST /admin/options/config": submitConfigValue,
  "GET /admin/options/backups": showBackups,
  "POST /admin/options/backups": submitBackupNow,
  "GET /admin/options/directory": showDirectory,
  "POST /admin/options/directory": submitDirectorySettings,
  "POST /admin/options/directory/sync": submitSync,
  "GET /admin/options/cards": showCards,
  "POST /admin/options/cards": submitCardImport,
  "GET /admin/tasks/status": showTaskStatus,
  "GET /admin/printers": showPrinters,
  "POST /admin/printers/state": submitPrinterState,
};

const ASSETS: Record<string, { body: string; type: string }> = {
  "/admin/assets/admin.css": { body: ADMIN_CSS, type: "text/css; charset=utf-8" },
  "/admin/assets/admin.js": { body: ADMIN_JS, type: "text/javascript; charset=utf-8" },
};

export interface WebOptions {
  authenticators?: AdminAuthenticator[];
  throttle?: Partial<ThrottleRules>;
  sessions?: Partial<SessionLimits>;
}

function errorPage(status: number, title: string, message: string): WebResponse {
  return {
    status,
    body: document(title, html`<main id="main" class="login"><div class="card"><h1>${title}</h1><p>${message}</p><p><a href="/admin">Back to the dashboard</a></p></div></main>`),
  };
}

/** The browser's Origin, when sent, must be this server: a second line of defence behind the CSRF token. */
function sameOrigin(req: IncomingMessage, secure: boolean): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === "null") return origin === undefined;
  return origin === `${secure ? "https" : "http"}://${req.headers.host ?? ""}`;
}

export function createWebRoute(app: AppContext, options: WebOptions = {}): Route {
  const sessions = new SessionStore(app.clock, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000, maxSessions: 10_000, ...options.sessions });
  const throttle = new LoginThrottle(app.clock, { baseDelayMs: 250, maxDelayMs: 16_000, lockoutAfter: 10, lockoutMs: 15 * 60_000, forgetAfterMs: 15 * 60_000, ...options.throttle });
  const authenticators = options.authenticators ?? [builtInAdmin(app), grantedInternalUsers(app)];

  async function answer(req: IncomingMessage, url: URL): Promise<WebResponse> {
    const path = url.pathname.length > 1 && url.pathname.endsWith("/") ? url.pathname.slice(0, -1) : url.pathname;
    const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
    const secure = isSecure(req);
    const address = req.socket.remoteAddress ?? "";
    const cookies = parseCookies(req.headers.cookie);

    const asset: { body: string; type: string } | undefined = ASSETS[path];
    if (asset && method === "GET") return { status: 200, body: asset.body, contentType: asset.type, headers: { "Cache-Control": "no-cache" } };

    if (path === "/admin/login") {
      if (method === "GET") {
        if (sessions.find(cookies.get(SESSION_COOKIE))) return redirect("/admin");
        return renderLogin(secure, { next: url.searchParams.get("next") ?? undefined });
      }
      if (method === "POST") {
        if (!sameOrigin(req, secure)) return errorPage(403, "Refused", "This form did not come from this site.");
        const form = await readForm(req);
        return submitLogin({ app, sessions, throttle, authenticators }, { address, secure, cookies, form, next: form.get("next") ?? "/admin" });
      }
    }

    let session = sessions.find(cookies.get(SESSION_COOKIE));
    // Rights granted through the API can be revoked at any time: a granted user's session ends with them.
    if (session && session.identity.method !== "admin-password" && !(await app.adminAccess.isAdmin(session.identity.name))) {
      sessions.destroy(session.id);
      session = undefined;
    }
    if (!session) {
      req.resume();
      if (method === "GET") return redirect(`/admin/login?next=${encodeURIComponent(path + url.search)}`);
      return errorPage(403, "Signed out", "Your session has ended. Sign in again, then repeat the change.");
    }

    let form = new URLSearchParams();
    let files = new Map<string, UploadedFile>();
    if (method === "POST") {
      ({ form, files } = await readFormWithFiles(req));
      if (!tokensMatch(session.csrfToken, form.get(CSRF_FIELD) ?? undefined) || !sameOrigin(req, secure)) {
        app.log.warn({ path, address }, "admin form refused: missing or wrong CSRF token");
        return errorPage(403, "Refused", "The form was missing its security token or did not come from this site, so nothing was changed. Reload the page and try again.");
      }
    } else {
      req.resume();
    }

    if (path === "/admin/logout" && method === "POST") {
      sessions.destroy(session.id);
      await app.auditLog.record({ source: "web", actor: session.identity.name, address, action: "sign out" });
      return redirect("/admin/login", { "Set-Cookie": serializeCookie(SESSION_COOKIE, "", { secure, maxAgeSeconds: 0 }) });
    }

    const handler: Handler | undefined = PAGES[`${method} ${path}`];
    if (!handler) {
      const exists = `GET ${path}` in PAGES || `POST ${path}` in PAGES;
      return exists ? errorPage(405, "Not allowed", "This address does not accept that kind of request.") : errorPage(404, "Not found", "There is no such page in the admin interface.");
    }
    const signedIn = session;
    const ctx: PageContext = {
      app,
      req,
      path,
      query: url.searchParams,
      form,
      files,
      address,
      secure,
      session,
      audit: (action, target, detail) => app.auditLog.record({ source: "web", actor: signedIn.identity.name, address, action, target, detail }),
    };
    return handler(ctx);
  }

  function mapError(error: unknown): WebResponse {
    if (error instanceof NotFound) return errorPage(404, "Not found", error.message);
    if (error instanceof Invalid) return errorPage(400, "Not accepted", error.message);
    if (error instanceof Conflict) return errorPage(409, "Conflict", error.message);
    if (error instanceof Forbidden) return errorPage(403, "Refused", error.message);
    if (error instanceof QuireError) return errorPage(503, "Unavailable", error.message);
    app.log.error({ err: error }, "admin page failed");
    return errorPage(500, "Something went wrong", "The server could not show this page; its log has the details.");
  }

  return function handleAdmin(req: IncomingMessage, res: ServerResponse): boolean {
    const raw = req.url ?? "";
    if (raw !== ADMIN_PREFIX && !raw.startsWith(`${ADMIN_PREFIX}/`) && !raw.startsWith(`${ADMIN_PREFIX}?`)) return false;
    let url: URL;
    try {
      url = new URL(raw, "http://localhost");
    } catch {
      writeResponse(res, errorPage(400, "Bad request", "The address is not valid."));
      return true;
    }
    answer(req, url)
      .catch(mapError)
      .then((response) => {
        if (req.method === "HEAD") response = { ...response, body: "" };
        writeResponse(res, response);
      })
      .catch(() => res.destroy());
    return true;
  };
}

export { LOGIN_COOKIE, SESSION_COOKIE };
