// Options: general settings and the admin password, the XML Web Services callers and tokens, and the
// config editor. Values go through ConfigService and SecurityService, the same calls as the API's
// setConfigValue, so their validation applies here too; a refused value changes nothing.
import { KNOWN_KEYS } from "../../config/defaults.js";
import { QuireError } from "../../kernel/errors.js";
import { parseMoney } from "../../kernel/money.js";
import { html, qs } from "../html.js";
import { csrfField, displayMoney, field, formError, page, subnav, type FieldErrors, type PageContext } from "../layout.js";
import { redirect, type WebResponse } from "../web-io.js";

const SECRET_KEY = /token|password|secret|pin/i;

export function optionsNav(current: string) {
  return subnav([
    { href: "/admin/options", label: "General", current: current === "general" },
    { href: "/admin/options/api", label: "Web services", current: current === "api" },
    { href: "/admin/options/config", label: "Config editor", current: current === "config" },
    { href: "/admin/options/directory", label: "User directory", current: current === "directory" },
    { href: "/admin/options/backups", label: "Backups", current: current === "backups" },
    { href: "/admin/options/cards", label: "Top-up cards", current: current === "cards" },
  ]);
}

// --- general ------------------------------------------------------------------------------------

interface GeneralState {
  general?: { values: Record<string, string>; errors: FieldErrors };
  password?: { errors: FieldErrors };
  status?: number;
}

function renderGeneral(ctx: PageContext, state: GeneralState = {}): WebResponse {
  const overdraft = state.general?.values.overdraft ?? ctx.app.config.get(KNOWN_KEYS.defaultOverdraft);
  return page(ctx, {
    title: "Options",
    section: "options",
    status: state.status,
    body: html`${optionsNav("general")}
<div class="two">
<section class="card" aria-labelledby="h-general">
  <h2 id="h-general">Accounts</h2>
  <form method="post" action="/admin/options/general">
    ${csrfField(ctx.session)}
    ${formError(state.general?.errors)}
    ${field({ name: "overdraft", label: "Default overdraft of restricted users", value: overdraft, errors: state.general?.errors, inputmode: "decimal", hint: "How far below zero restricted users and accounts in overdraft mode “default” may go, e.g. 0.00 or 5.00." })}
    <button type="submit">Save</button>
  </form>
</section>
<section class="card" aria-labelledby="h-password">
  <h2 id="h-password">Admin password</h2>
  <form method="post" action="/admin/options/password" data-confirm="Change the admin password? Scripts that use it as their API token will stop working.">
    ${csrfField(ctx.session)}
    ${formError(state.password?.errors)}
    ${field({ name: "current", label: "Current password", type: "password", errors: state.password?.errors, autocomplete: "current-password", required: true })}
    ${field({ name: "new", label: "New password", type: "password", errors: state.password?.errors, autocomplete: "new-password", required: true, hint: "At least 8 characters." })}
    ${field({ name: "confirm", label: "New password again", type: "password", errors: state.password?.errors, autocomplete: "new-password", required: true })}
    <button type="submit">Change password</button>
  </form>
</section>
</div>`,
  });
}

export async function showGeneral(ctx: PageContext): Promise<WebResponse> {
  return renderGeneral(ctx);
}

export async function submitGeneral(ctx: PageContext): Promise<WebResponse> {
  const values = { overdraft: (ctx.form.get("overdraft") ?? "").trim() };
  const amount = parseMoney(values.overdraft);
  if (amount === undefined || amount < 0) {
    return renderGeneral(ctx, { general: { values, errors: { overdraft: "Enter an amount of zero or more, e.g. 5.00." } }, status: 422 });
  }
  const stored = displayMoney(amount);
  await ctx.app.config.set(KNOWN_KEYS.defaultOverdraft, stored);
  await ctx.audit("set config value", KNOWN_KEYS.defaultOverdraft, `value=${stored}`);
  ctx.session.flash = `The default overdraft is now ${stored}.`;
  return redirect("/admin/options");
}

export async function submitPassword(ctx: PageContext): Promise<WebResponse> {
  const current = ctx.form.get("current") ?? "";
  const next = ctx.form.get("new") ?? "";
  const confirm = ctx.form.get("confirm") ?? "";
  const errors: FieldErrors = {};
  if (!(await ctx.app.security.verifyAdminPassword(current))) errors.current = "This is not the current admin password.";
  if (next.trim().length < 8) errors.new = "Use at least 8 characters.";
  else if (confirm !== next) errors.confirm = "The two new passwords differ.";
  if (Object.keys(errors).length > 0) return renderGeneral(ctx, { password: { errors }, status: 422 });
  await ctx.app.security.changeAdminPassword(next);
  await ctx.audit("change admin password", "", "");
  ctx.session.flash = "The admin password has been changed.";
  return redirect("/admin/options");
}

// --- web services ---------------------------------------------------------------------------------

interface ApiState {
  callers?: { value: string; errors: FieldErrors };
  token?: { value: string; errors: FieldErrors };
  status?: number;
}

function renderApi(ctx: PageContext, state: ApiState = {}): WebResponse {
  const callers = state.callers?.value ?? ctx.app.config.get(KNOWN_KEYS.allowedAddresses).split(/[,;\s]+/).filter(Boolean).join("\n");
  const tokens = ctx.app.security.listTokens();
  return page(ctx, {
    title: "Web services",
    section: "options",
    status: state.status,
    body: html`${optionsNav("api")}
<section class="card" aria-labelledby="h-callers">
  <h2 id="h-callers">Allowed XML Web Services callers</h2>
  <form method="post" action="/admin/options/allowed-callers">
    ${csrfField(ctx.session)}
    ${field({ name: "addresses", label: "Addresses allowed to call the API", value: callers, errors: state.callers?.errors, multiline: true, hint: "One entry a line (or comma-separated): an address (10.1.2.3, ::1), a subnet (10.0.0.0/8, 10.1.0.0/255.255.0.0), a range (10.0.0.5-10.0.0.9), a wildcard (192.168.1.*) or * for any address. Empty: nobody may call the API." })}
    <button type="submit">Save callers</button>
  </form>
</section>
<section class="card" aria-labelledby="h-tokens">
  <h2 id="h-tokens">Web services auth tokens</h2>
  <p class="hint">Each application has its own token; the audit log names the application behind every API change. The admin password also works as a token.</p>
  <table>
    <thead><tr><th scope="col">Application</th><th scope="col">Token</th><th scope="col">Revoke</th></tr></thead>
    <tbody>
    ${tokens.length === 0 ? html`<tr><td colspan="3">No tokens yet.</td></tr>` : ""}
    ${tokens.map(
      (t) => html`<tr><td>${t.application}</td><td class="mono">${t.masked}</td><td>
      <form method="post" action="/admin/options/tokens/revoke" data-confirm="${`Revoke the token of ${t.application}? Its calls will be refused.`}">
        ${csrfField(ctx.session)}<input type="hidden" name="application" value="${t.application}">
        <button type="submit" class="secondary" aria-label="${`Revoke the token of ${t.application}`}">Revoke</button>
      </form></td></tr>`,
    )}
    </tbody>
  </table>
  <h3>Add a token</h3>
  <form class="inline" method="post" action="/admin/options/tokens/add">
    ${csrfField(ctx.session)}
    ${field({ name: "application", label: "Application name", value: state.token?.value, errors: state.token?.errors, hint: "A new random token is made and shown once." })}
    <button type="submit">Add token</button>
  </form>
</section>`,
  });
}

export async function showApi(ctx: PageContext): Promise<WebResponse> {
  return renderApi(ctx);
}

export async function submitAllowedCallers(ctx: PageContext): Promise<WebResponse> {
  const value = ctx.form.get("addresses") ?? "";
  const normalised = value.split(/[,;\s]+/).filter(Boolean).join(",");
  try {
    await ctx.app.config.set(KNOWN_KEYS.allowedAddresses, normalised);
  } catch (error) {
    if (!(error instanceof QuireError)) throw error;
    return renderApi(ctx, { callers: { value, errors: { addresses: error.message } }, status: 422 });
  }
  await ctx.audit("set config value", KNOWN_KEYS.allowedAddresses, `value=${normalised}`);
  ctx.session.flash = normalised === "" ? "Saved: no address may call the API now." : `Saved: the API accepts calls from ${normalised.split(",").join(", ")}.`;
  return redirect("/admin/options/api");
}

export async function submitAddToken(ctx: PageContext): Promise<WebResponse> {
  const application = (ctx.form.get("application") ?? "").trim();
  let token: string;
  try {
    token = await ctx.app.security.addToken(application);
  } catch (error) {
    if (!(error instanceof QuireError)) throw error;
    return renderApi(ctx, { token: { value: application, errors: { application: error.message } }, status: 422 });
  }
  await ctx.audit("add web services token", application, "");
  ctx.session.flash = `The token of ${application} is ${token} — copy it now; it is not shown again.`;
  return redirect("/admin/options/api");
}

export async function submitRevokeToken(ctx: PageContext): Promise<WebResponse> {
  const application = ctx.form.get("application") ?? "";
  await ctx.app.security.revokeToken(application);
  await ctx.audit("revoke web services token", application, "");
  ctx.session.flash = `The token of ${application} has been revoked.`;
  return redirect("/admin/options/api");
}

// --- config editor ----------------------------------------------------------------------------------

const WARNING = html`<p class="warning" role="note"><strong>Careful:</strong> these are Quire's advanced settings. A careless change can stop the server, the API or printing from working. Change a key only when you know what it does.</p>`;

export async function showConfigEditor(ctx: PageContext): Promise<WebResponse> {
  const search = (ctx.query.get("q") ?? "").trim();
  const entries = ctx.app.config.entries().filter(([key, value]) => search === "" || key.toLowerCase().includes(search.toLowerCase()) || (!SECRET_KEY.test(key) && value.toLowerCase().includes(search.toLowerCase())));
  return page(ctx, {
    title: "Config editor",
    section: "options",
    body: html`${optionsNav("config")}
${WARNING}
<form class="inline" method="get" action="/admin/options/config" role="search">
  ${field({ name: "q", label: "Search keys and values", type: "search", value: search })}
  <button type="submit">Search</button>
</form>
<table>
  <thead><tr><th scope="col">Key</th><th scope="col">Value</th><th scope="col">Edit</th></tr></thead>
  <tbody>
  ${entries.length === 0 ? html`<tr><td colspan="3">No key matches.</td></tr>` : ""}
  ${entries.map(
    ([key, value]) => html`<tr><td class="mono">${key}</td><td class="mono">${SECRET_KEY.test(key) && value !== "" ? html`<span class="muted">(hidden)</span>` : value}</td><td><a href="/admin/options/config/edit${qs({ key })}" aria-label="${`Edit ${key}`}">Edit</a></td></tr>`,
  )}
  </tbody>
</table>
<section class="card" aria-labelledby="h-newkey">
  <h2 id="h-newkey">Add or set a key</h2>
  <form method="post" action="/admin/options/config" data-confirm="Set this config key? A careless change can stop the server from working.">
    ${csrfField(ctx.session)}
    ${field({ name: "key", label: "Key", required: true })}
    ${field({ name: "value", label: "Value", multiline: true })}
    <button type="submit">Set key</button>
  </form>
</section>`,
  });
}

function renderConfigEdit(ctx: PageContext, key: string, value: string | undefined, errors: FieldErrors = {}, status = 200): WebResponse {
  const secret = SECRET_KEY.test(key);
  return page(ctx, {
    title: `Edit ${key || "config key"}`,
    section: "options",
    status,
    body: html`${optionsNav("config")}
${WARNING}
<form method="post" action="/admin/options/config" data-confirm="Save this config value? A careless change can stop the server from working.">
  ${csrfField(ctx.session)}
  ${formError(errors)}
  ${field({ name: "key", label: "Key", value: key, errors, required: true })}
  ${field({ name: "value", label: "Value", value: secret ? "" : (value ?? ctx.app.config.get(key)), errors, multiline: true, hint: secret ? "This value is secret and not shown; whatever you enter replaces it." : undefined })}
  <button type="submit">Save</button> <a href="/admin/options/config">Cancel</a>
</form>`,
  });
}

export async function showConfigEdit(ctx: PageContext): Promise<WebResponse> {
  return renderConfigEdit(ctx, ctx.query.get("key") ?? "", undefined);
}

export async function submitConfigValue(ctx: PageContext): Promise<WebResponse> {
  const key = (ctx.form.get("key") ?? "").trim();
  const value = ctx.form.get("value") ?? "";
  if (key === "") return renderConfigEdit(ctx, key, value, { key: "Enter the name of the key." }, 422);
  try {
    await ctx.app.config.set(key, value);
  } catch (error) {
    if (!(error instanceof QuireError)) throw error;
    return renderConfigEdit(ctx, key, value, { value: error.message }, 422);
  }
  await ctx.audit("set config value", key, SECRET_KEY.test(key) ? "value=••••" : `value=${value}`);
  ctx.session.flash = `Saved ${key}.`;
  return redirect(`/admin/options/config${qs({ q: key })}`);
}
