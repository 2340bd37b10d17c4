// Sign-in and sign-out. The sign-in form carries its own CSRF token (a short-lived cookie matched
// against a hidden field), and failed attempts are slowed and then locked out per address.
import type { AppContext } from "../../context.js";
import { html } from "../html.js";
import { authenticateAdmin, BUILT_IN_ADMIN, type AdminAuthenticator } from "../admin-login.js";
import { CSRF_FIELD, document, field, type FieldErrors } from "../layout.js";
import type { LoginThrottle } from "../login-throttle.js";
import { randomToken, tokensMatch, type SessionStore } from "../sessions.js";
import { redirect, serializeCookie, type WebResponse } from "../web-io.js";

export const SESSION_COOKIE = "quire_admin";
export const LOGIN_COOKIE = "quire_login";

export interface LoginDeps {
  app: AppContext;
  sessions: SessionStore;
  throttle: LoginThrottle;
  authenticators: readonly AdminAuthenticator[];
}

export interface LoginRequest {
  address: string;
  secure: boolean;
  cookies: Map<string, string>;
  form: URLSearchParams;
  next: string;
}

/** Only paths inside the admin interface are followed after sign-in (no open redirects). */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/admin") || next.startsWith("//") || /[\\\r\n]/.test(next)) return "/admin";
  return next;
}

export function renderLogin(secure: boolean, o: { username?: string; errors?: FieldErrors; next?: string; status?: number } = {}): WebResponse {
  const token = randomToken();
  const body = html`<main id="main" class="login">
  <div class="card">
  <h1>Sign in to Quire</h1>
  ${o.errors?._form ? html`<p class="error form-error" role="alert">${o.errors._form}</p>` : ""}
  <form method="post" action="/admin/login">
    <input type="hidden" name="${CSRF_FIELD}" value="${token}">
    <input type="hidden" name="next" value="${safeNext(o.next)}">
    ${field({ name: "username", label: "Username", value: o.username ?? BUILT_IN_ADMIN, errors: o.errors, autocomplete: "username", required: true })}
    ${field({ name: "password", label: "Password", type: "password", errors: o.errors, autocomplete: "current-password", required: true })}
    <button type="submit">Sign in</button>
  </form>
  <p class="hint">The built-in administrator signs in as <code>admin</code> with the admin password; users granted admin access sign in with their own username and password.</p>
  </div>
</main>`;
  return {
    status: o.status ?? 200,
    body: document("Sign in", body),
    headers: { "Set-Cookie": serializeCookie(LOGIN_COOKIE, token, { secure, maxAgeSeconds: 3600 }) },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function submitLogin(deps: LoginDeps, req: LoginRequest): Promise<WebResponse> {
  const username = (req.form.get("username") ?? "").trim();
  const password = req.form.get("password") ?? "";
  const next = safeNext(req.form.get("next"));
  const expected = req.cookies.get(LOGIN_COOKIE);
  if (!expected || !tokensMatch(expected, req.form.get(CSRF_FIELD) ?? undefined)) {
    return renderLogin(req.secure, { username, next, status: 403, errors: { _form: "The sign-in form had expired or did not come from this site. Please sign in again." } });
  }
  const verdict = deps.throttle.check(req.address);
  if (!verdict.allowed) {
    const seconds = Math.ceil(verdict.retryAfterMs / 1000);
    const message = verdict.lockedOut
      ? `Too many failed sign-ins from your address. Sign-in is locked for ${Math.ceil(seconds / 60)} minutes.`
      : `Too many failed sign-ins from your address. Wait ${seconds} second${seconds === 1 ? "" : "s"} and try again.`;
    const response = renderLogin(req.secure, { username, next, status: 429, errors: { _form: message } });
    response.headers = { ...response.headers, "Retry-After": String(seconds) };
    return response;
  }
  const errors: FieldErrors = {};
  if (username === "") errors.username = "Enter your username.";
  if (password === "") errors.password = "Enter your password.";
  if (Object.keys(errors).length > 0) return renderLogin(req.secure, { username, next, status: 422, errors });
  const identity = await authenticateAdmin(deps.authenticators, username, password);
  if (!identity) {
    const delay = deps.throttle.fail(req.address);
    await deps.app.auditLog.record({ source: "web", actor: username.slice(0, 64), address: req.address, action: "sign-in failed" });
    await sleep(delay);
    return renderLogin(req.secure, { username, next, status: 401, errors: { _form: "The username or password is not right." } });
  }
  deps.throttle.succeed(req.address);
  const previous = req.cookies.get(SESSION_COOKIE);
  if (previous) deps.sessions.destroy(previous);
  const session = deps.sessions.create(identity);
  await deps.app.auditLog.record({ source: "web", actor: identity.name, address: req.address, action: "sign in" });
  return redirect(next, {
    "Set-Cookie": [serializeCookie(SESSION_COOKIE, session.id, { secure: req.secure }), serializeCookie(LOGIN_COOKIE, "", { secure: req.secure, maxAgeSeconds: 0 })],
  });
}
