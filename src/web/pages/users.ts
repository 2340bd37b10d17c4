// Users: the searchable, paged list; a user's page with balance, adjustment, properties, groups and
// transactions. Every change goes through the same UsersService calls as the API.
import { QuireError } from "../../kernel/errors.js";
import { parseMoney } from "../../kernel/money.js";
import { html, qs, type Html } from "../html.js";
import { checkbox, csrfField, displayMoney, displayTime, field, formError, page, pageNumber, pager, type FieldErrors, type PageContext } from "../layout.js";
import { redirect, type WebResponse } from "../web-io.js";

const PAGE_SIZE = 50;
const TRANSACTIONS_PER_PAGE = 25;

export function userHref(username: string): string {
  return `/admin/user${qs({ name: username })}`;
}

function moneyCell(micros: number): Html {
  return html`<td class="num${micros < 0 ? " neg" : ""}">${displayMoney(micros)}</td>`;
}

export async function showUsers(ctx: PageContext): Promise<WebResponse> {
  const search = (ctx.query.get("q") ?? "").trim().slice(0, 200);
  const pageNo = pageNumber(ctx.query);
  const [{ rows, more }, total] = await Promise.all([ctx.app.users.searchUsers(search, (pageNo - 1) * PAGE_SIZE, PAGE_SIZE), search ? undefined : ctx.app.users.getTotalUsers()]);
  return page(ctx, {
    title: "Users",
    section: "users",
    body: html`<form class="inline" method="get" action="/admin/users" role="search">
  ${field({ name: "q", label: "Search users", type: "search", value: search, hint: "The start of a username, full name or email; begin with * to match anywhere (slower on large sites)." })}
  <button type="submit">Search</button>
</form>
<p class="muted">${search ? html`Users matching “${search}”` : html`All ${total} users`}, by username.</p>
<table>
  <thead><tr><th scope="col">Username</th><th scope="col">Full name</th><th scope="col">Email</th><th scope="col">Department</th><th scope="col" class="num">Balance</th><th scope="col">Restricted</th></tr></thead>
  <tbody>
  ${rows.length === 0 ? html`<tr><td colspan="6">No users found.</td></tr>` : ""}
  ${rows.map(
    (u) => html`<tr><td><a href="${userHref(u.username)}">${u.username}</a></td><td>${u.full_name}</td><td>${u.email}</td><td>${u.department}</td>${moneyCell(u.balance)}<td>${u.restricted ? "Yes" : "No"}</td></tr>`,
  )}
  </tbody>
</table>
${pager("/admin/users", { q: search }, pageNo, more)}`,
  });
}

/** The editable properties on the user page, by API property name. */
const EDITABLE: ReadonlyArray<{ name: string; label: string; hint?: string }> = [
  { name: "full-name", label: "Full name" },
  { name: "email", label: "Email" },
  { name: "department", label: "Department" },
  { name: "office", label: "Office" },
  { name: "primary-card-number", label: "Card number" },
  { name: "overdraft-amount", label: "Overdraft", hint: "How far a restricted user may go below zero, e.g. 5.00." },
  { name: "notes", label: "Notes" },
];
const READ_ONLY = ["internal", "disabled-print", "print-stats.job-count", "print-stats.page-count"];

interface UserPageState {
  adjust?: { values: Record<string, string>; errors: FieldErrors };
  properties?: { values: Record<string, string>; errors: FieldErrors };
  status?: number;
}

async function renderUser(ctx: PageContext, username: string, state: UserPageState = {}): Promise<WebResponse> {
  const detail = await ctx.app.users.getUserDetail(username);
  const names = [...EDITABLE.map((p) => p.name), "restricted"];
  const values = await ctx.app.users.getUserProperties(username, names);
  const current = Object.fromEntries(names.map((n, i) => [n, values[i]]));
  const readOnly = await ctx.app.users.getUserProperties(username, READ_ONLY).catch(() => READ_ONLY.map(() => ""));
  const groups = await ctx.app.groups.groupNamesOfUser(detail.user.id);
  const tpage = Math.max(1, Number(ctx.query.get("tpage") ?? "1") || 1);
  const { rows, more } = await ctx.app.reports.listTransactions((tpage - 1) * TRANSACTIONS_PER_PAGE, TRANSACTIONS_PER_PAGE, detail.accounts.map((a) => a.id));
  const total = detail.accounts.reduce((sum, a) => sum + a.balance, 0);
  const shown = state.properties?.values ?? current;
  const adjust = state.adjust?.values ?? {};
  const { user } = detail;
  return page(ctx, {
    title: `User ${user.username}`,
    section: "users",
    status: state.status,
    body: html`<p><a href="/admin/users">← All users</a></p>
<div class="two">
<section class="card" aria-labelledby="h-balance">
  <h2 id="h-balance">Balance</h2>
  <p class="balance${total < 0 ? " neg" : ""}" id="balance">${displayMoney(total)}</p>
  ${detail.accounts.length > 1 ? html`<ul>${detail.accounts.map((a) => html`<li>${a.sub_name || "Default account"}: ${displayMoney(a.balance)}</li>`)}</ul>` : ""}
  <form method="post" action="/admin/user/adjust" data-confirm="Apply this balance adjustment?">
    ${csrfField(ctx.session)}
    <input type="hidden" name="username" value="${user.username}">
    ${formError(state.adjust?.errors)}
    ${field({ name: "amount", label: "Adjustment", value: adjust.amount, errors: state.adjust?.errors, inputmode: "decimal", hint: "Positive to credit, negative to debit, e.g. 5.00 or -2.50.", required: true })}
    ${field({ name: "comment", label: "Comment", value: adjust.comment, errors: state.adjust?.errors, hint: "Shown in the user's transactions." })}
    ${
      detail.accounts.length > 1
        ? html`<div class="field"><label for="f-account">Account</label><select id="f-account" name="account">${detail.accounts.map(
            (a) => html`<option value="${a.sub_name}"${adjust.account === a.sub_name ? html` selected` : ""}>${a.sub_name || "Default account"}</option>`,
          )}</select></div>`
        : ""
    }
    <button type="submit">Adjust balance</button>
  </form>
</section>
<section class="card" aria-labelledby="h-about">
  <h2 id="h-about">About</h2>
  <dl class="facts">
    <dt>Source</dt><dd>${user.source}${user.internal ? " (internal user)" : ""}</dd>
    <dt>Created</dt><dd>${displayTime(user.created_at)}</dd>
    <dt>Groups</dt><dd>${groups.length ? groups.join(", ") : html`<span class="muted">none</span>`}</dd>
    <dt>Printing disabled</dt><dd>${readOnly[1] === "true" ? "Yes" : "No"}</dd>
    <dt>Jobs / pages printed</dt><dd>${readOnly[2] || "0"} / ${readOnly[3] || "0"}</dd>
  </dl>
</section>
</div>
<section class="card" aria-labelledby="h-props">
  <h2 id="h-props">Properties</h2>
  <form method="post" action="/admin/user/properties">
    ${csrfField(ctx.session)}
    <input type="hidden" name="username" value="${user.username}">
    ${formError(state.properties?.errors)}
    <div class="two">${EDITABLE.map((p) => field({ name: p.name, label: p.label, value: shown[p.name], errors: state.properties?.errors, hint: p.hint }))}</div>
    ${checkbox({ name: "restricted", label: "Restricted (cannot print without credit)", checked: shown.restricted === "true", errors: state.properties?.errors })}
    <button type="submit">Save properties</button>
  </form>
</section>
<section aria-labelledby="h-tx">
  <h2 id="h-tx">Transactions</h2>
  ${transactionTable(rows, false)}
  ${tpage > 1 || more ? pagerForTransactions(user.username, tpage, more) : ""}
</section>`,
  });
}

function pagerForTransactions(username: string, tpage: number, more: boolean): Html {
  return html`<nav class="pager" aria-label="Transaction pages">
  ${tpage > 1 ? html`<a href="/admin/user${qs({ name: username, tpage: tpage - 1 })}">← Newer</a>` : ""}
  <span>Page ${tpage}</span>
  ${more ? html`<a href="/admin/user${qs({ name: username, tpage: tpage + 1 })}">Older →</a>` : ""}
</nav>`;
}

export function transactionTable(
  rows: ReadonlyArray<{ id: number; created_at: number; amount: number; balance_after: number; kind: string; comment: string; created_by: string; account_type: string; account_name: string; sub_name: string; username: string | null }>,
  showAccount: boolean,
): Html {
  return html`<table class="transactions">
  <thead><tr><th scope="col">Time (UTC)</th>${showAccount ? html`<th scope="col">Account</th>` : ""}<th scope="col" class="num">Amount</th><th scope="col" class="num">Balance after</th><th scope="col">Type</th><th scope="col">Comment</th><th scope="col">By</th></tr></thead>
  <tbody>
  ${rows.length === 0 ? html`<tr><td colspan="${showAccount ? 7 : 6}">No transactions yet.</td></tr>` : ""}
  ${rows.map(
    (r) => html`<tr>
    <td>${displayTime(r.created_at)}</td>
    ${showAccount ? html`<td>${r.account_type === "personal" && r.username ? html`<a href="${userHref(r.username)}">${r.username}</a>${r.sub_name ? ` (${r.sub_name})` : ""}` : r.account_name}</td>` : ""}
    ${moneyCell(r.amount)}${moneyCell(r.balance_after)}<td>${r.kind}</td><td>${r.comment}</td><td>${r.created_by}</td></tr>`,
  )}
  </tbody>
</table>`;
}

export async function showUser(ctx: PageContext): Promise<WebResponse> {
  return renderUser(ctx, ctx.query.get("name") ?? "");
}

/** Validates the whole adjustment form before anything is applied. */
export async function submitAdjustment(ctx: PageContext): Promise<WebResponse> {
  const username = ctx.form.get("username") ?? "";
  const values = { amount: (ctx.form.get("amount") ?? "").trim(), comment: (ctx.form.get("comment") ?? "").trim(), account: ctx.form.get("account") ?? "" };
  const errors: FieldErrors = {};
  const amount = parseMoney(values.amount);
  if (values.amount === "") errors.amount = "Enter an amount, e.g. 5.00 or -2.50.";
  else if (amount === undefined) errors.amount = `“${values.amount}” is not an amount; use digits with a dot for decimals, e.g. 5.00 or -2.50.`;
  else if (amount === 0) errors.amount = "Enter an amount other than zero.";
  if (values.comment.length > 500) errors.comment = "Keep the comment under 500 characters.";
  if (Object.keys(errors).length > 0 || amount === undefined) return renderUser(ctx, username, { adjust: { values, errors }, status: 422 });
  const actor = { application: ctx.session.identity.name };
  try {
    await ctx.app.users.adjustUserAccountBalance(username, amount, values.comment, values.account || undefined, actor);
  } catch (error) {
    if (!(error instanceof QuireError)) throw error;
    return renderUser(ctx, username, { adjust: { values, errors: { _form: error.message } }, status: 422 });
  }
  await ctx.audit("adjust balance", username, `adjustment=${displayMoney(amount)}, comment=${values.comment}${values.account ? `, account=${values.account}` : ""}`);
  const balance = await ctx.app.users.getUserAccountBalance(username);
  ctx.session.flash = `Adjusted the balance of ${username} by ${displayMoney(amount)}. The balance is now ${displayMoney(balance)}.`;
  return redirect(userHref(username));
}

/** Saves the changed properties in one all-or-nothing call; an error is shown next to the field it names. */
export async function submitProperties(ctx: PageContext): Promise<WebResponse> {
  const username = ctx.form.get("username") ?? "";
  const names = [...EDITABLE.map((p) => p.name), "restricted"];
  const currentValues = await ctx.app.users.getUserProperties(username, names);
  const current = Object.fromEntries(names.map((n, i) => [n, currentValues[i]]));
  const values: Record<string, string> = {};
  for (const p of EDITABLE) values[p.name] = (ctx.form.get(p.name) ?? "").trim();
  values.restricted = ctx.form.get("restricted") === "1" ? "true" : "false";
  const writes = names.filter((n) => values[n] !== current[n]).map((n) => [n, values[n]] as [string, string]);
  if (writes.length === 0) {
    ctx.session.flash = "Nothing changed.";
    return redirect(userHref(username));
  }
  try {
    await ctx.app.users.setUserProperties(username, writes, { application: ctx.session.identity.name });
  } catch (error) {
    if (!(error instanceof QuireError)) throw error;
    const named = names.find((n) => error.message.includes(n)) ?? (error.message.includes("card") ? "primary-card-number" : undefined);
    return renderUser(ctx, username, { properties: { values, errors: { [named ?? "_form"]: error.message } }, status: 422 });
  }
  await ctx.audit("set user properties", username, writes.map(([n, v]) => `${n}=${v}`).join(", "));
  ctx.session.flash = `Saved ${writes.length} propert${writes.length === 1 ? "y" : "ies"} of ${username}.`;
  return redirect(userHref(username));
}
