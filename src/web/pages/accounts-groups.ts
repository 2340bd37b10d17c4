// Shared accounts (parent/child tree with balances, access, PIN, disabled state; balance adjustment)
// and groups (members and quota). Reads and changes go through SharedAccountsService and
// GroupsService, the same calls as the API's shared-account and group methods.
import { QuireError } from "../../kernel/errors.js";
import { parseMoney } from "../../kernel/money.js";
import { html, qs } from "../html.js";
import { csrfField, displayMoney, field, formError, page, pageNumber, pager, type FieldErrors, type PageContext } from "../layout.js";
import { redirect, type WebResponse } from "../web-io.js";
import { userHref } from "./users.js";

const PAGE_SIZE = 50;

export function sharedAccountHref(name: string): string {
  return `/admin/shared-account${qs({ name })}`;
}

export function groupHref(name: string): string {
  return `/admin/group${qs({ name })}`;
}

const SHARED_PROPERTIES = ["balance", "restricted", "overdraft-amount", "disabled", "pin", "notes", "access-users", "access-groups", "comment-option", "invoice-option"] as const;

export async function showSharedAccounts(ctx: PageContext): Promise<WebResponse> {
  const pageNo = pageNumber(ctx.query);
  const names = await ctx.app.sharedAccounts.listSharedAccounts((pageNo - 1) * PAGE_SIZE, PAGE_SIZE + 1);
  const shown = names.slice(0, PAGE_SIZE);
  const rows = await Promise.all(shown.map(async (name) => ({ name, props: await ctx.app.sharedAccounts.getSharedAccountProperties(name, ["balance", "disabled", "restricted"]) })));
  return page(ctx, {
    title: "Shared accounts",
    section: "shared-accounts",
    body: html`<table>
  <thead><tr><th scope="col">Account</th><th scope="col" class="num">Balance</th><th scope="col">Restricted</th><th scope="col">Disabled</th></tr></thead>
  <tbody>
  ${rows.length === 0 ? html`<tr><td colspan="4">No shared accounts yet.</td></tr>` : ""}
  ${rows.map((r) => {
    const child = r.name.includes("\\");
    const balance = parseMoney(r.props[0]) ?? 0;
    return html`<tr><td>${child ? html`<span class="muted" aria-hidden="true">└ </span>` : ""}<a href="${sharedAccountHref(r.name)}">${child ? r.name.split("\\")[1] : r.name}</a>${child ? html`<span class="skip"> (sub-account of ${r.name.split("\\")[0]})</span>` : ""}</td><td class="num${balance < 0 ? " neg" : ""}">${displayMoney(balance)}</td><td>${r.props[2] === "true" ? "Yes" : "No"}</td><td>${r.props[1] === "true" ? "Yes" : "No"}</td></tr>`;
  })}
  </tbody>
</table>
${pager("/admin/shared-accounts", {}, pageNo, names.length > PAGE_SIZE)}`,
  });
}

async function renderSharedAccount(ctx: PageContext, name: string, adjust?: { values: Record<string, string>; errors: FieldErrors }): Promise<WebResponse> {
  const values = await ctx.app.sharedAccounts.getSharedAccountProperties(name, [...SHARED_PROPERTIES]);
  const p = Object.fromEntries(SHARED_PROPERTIES.map((n, i) => [n, values[i]]));
  const balance = parseMoney(p.balance) ?? 0;
  const list = (text: string) => text.split(",").map((s) => s.trim()).filter(Boolean);
  return page(ctx, {
    title: `Shared account ${name}`,
    section: "shared-accounts",
    status: adjust ? 422 : 200,
    body: html`<p><a href="/admin/shared-accounts">← All shared accounts</a></p>
<div class="two">
<section class="card" aria-labelledby="h-balance">
  <h2 id="h-balance">Balance</h2>
  <p class="balance${balance < 0 ? " neg" : ""}">${displayMoney(balance)}</p>
  <form method="post" action="/admin/shared-account/adjust" data-confirm="Apply this balance adjustment?">
    ${csrfField(ctx.session)}
    <input type="hidden" name="name" value="${name}">
    ${formError(adjust?.errors)}
    ${field({ name: "amount", label: "Adjustment", value: adjust?.values.amount, errors: adjust?.errors, inputmode: "decimal", required: true, hint: "Positive to credit, negative to debit." })}
    ${field({ name: "comment", label: "Comment", value: adjust?.values.comment, errors: adjust?.errors })}
    <button type="submit">Adjust balance</button>
  </form>
</section>
<section class="card" aria-labelledby="h-about">
  <h2 id="h-about">Settings</h2>
  <dl class="facts">
    <dt>Restricted</dt><dd>${p.restricted === "true" ? `Yes (overdraft ${p["overdraft-amount"]})` : "No"}</dd>
    <dt>Disabled</dt><dd>${p.disabled === "true" ? "Yes" : "No"}</dd>
    <dt>PIN</dt><dd>${p.pin ? "set" : html`<span class="muted">none</span>`}</dd>
    <dt>Comments</dt><dd>${p["comment-option"]}</dd>
    <dt>Invoicing</dt><dd>${p["invoice-option"]}</dd>
    <dt>Notes</dt><dd>${p.notes}</dd>
    <dt>Access: users</dt><dd>${list(p["access-users"]).length ? list(p["access-users"]).map((u, i) => html`${i ? ", " : ""}<a href="${userHref(u)}">${u}</a>`) : html`<span class="muted">none</span>`}</dd>
    <dt>Access: groups</dt><dd>${list(p["access-groups"]).length ? list(p["access-groups"]).map((g, i) => html`${i ? ", " : ""}<a href="${groupHref(g)}">${g}</a>`) : html`<span class="muted">none</span>`}</dd>
  </dl>
</section>
</div>`,
  });
}

export async function showSharedAccount(ctx: PageContext): Promise<WebResponse> {
  return renderSharedAccount(ctx, ctx.query.get("name") ?? "");
}

export async function submitSharedAdjustment(ctx: PageContext): Promise<WebResponse> {
  const name = ctx.form.get("name") ?? "";
  const values = { amount: (ctx.form.get("amount") ?? "").trim(), comment: (ctx.form.get("comment") ?? "").trim() };
  const amount = parseMoney(values.amount);
  if (amount === undefined || amount === 0) {
    return renderSharedAccount(ctx, name, { values, errors: { amount: values.amount === "" ? "Enter an amount, e.g. 5.00 or -2.50." : "Enter an amount other than zero, with a dot for decimals, e.g. 5.00 or -2.50." } });
  }
  try {
    await ctx.app.sharedAccounts.adjustSharedAccountAccountBalance(name, amount, values.comment, { application: ctx.session.identity.name });
  } catch (error) {
    if (!(error instanceof QuireError)) throw error;
    return renderSharedAccount(ctx, name, { values, errors: { _form: error.message } });
  }
  await ctx.audit("adjust shared account balance", name, `adjustment=${displayMoney(amount)}, comment=${values.comment}`);
  ctx.session.flash = `Adjusted the balance of ${name} by ${displayMoney(amount)}.`;
  return redirect(sharedAccountHref(name));
}

export async function showGroups(ctx: PageContext): Promise<WebResponse> {
  const pageNo = pageNumber(ctx.query);
  const names = await ctx.app.groups.listUserGroups((pageNo - 1) * PAGE_SIZE, PAGE_SIZE + 1);
  return page(ctx, {
    title: "Groups",
    section: "groups",
    body: html`<table>
  <thead><tr><th scope="col">Group</th></tr></thead>
  <tbody>
  ${names.length === 0 ? html`<tr><td>No groups yet.</td></tr>` : ""}
  ${names.slice(0, PAGE_SIZE).map((n) => html`<tr><td><a href="${groupHref(n)}">${n}</a></td></tr>`)}
  </tbody>
</table>
${pager("/admin/groups", {}, pageNo, names.length > PAGE_SIZE)}`,
  });
}

export async function showGroup(ctx: PageContext): Promise<WebResponse> {
  const name = ctx.query.get("name") ?? "";
  const pageNo = pageNumber(ctx.query);
  const [quota, members] = await Promise.all([ctx.app.groups.getGroupQuota(name), ctx.app.groups.getGroupMembers(name, (pageNo - 1) * PAGE_SIZE, PAGE_SIZE + 1)]);
  return page(ctx, {
    title: `Group ${name}`,
    section: "groups",
    body: html`<p><a href="/admin/groups">← All groups</a></p>
<section class="card" aria-labelledby="h-quota">
  <h2 id="h-quota">Quota</h2>
  ${quota.amount === 0 || quota.period === "NONE" ? html`<p class="muted">No quota.</p>` : html`<p>${displayMoney(quota.amount)} ${String(quota.period).toLowerCase()}${quota.maxAccumulation > 0 ? `, accumulating up to ${displayMoney(quota.maxAccumulation)}` : ""}</p>`}
</section>
<h2>Members</h2>
<table>
  <thead><tr><th scope="col">Username</th></tr></thead>
  <tbody>
  ${members.length === 0 ? html`<tr><td>No members.</td></tr>` : ""}
  ${members.slice(0, PAGE_SIZE).map((u) => html`<tr><td><a href="${userHref(u)}">${u}</a></td></tr>`)}
  </tbody>
</table>
${pager("/admin/group", { name }, pageNo, members.length > PAGE_SIZE)}`,
  });
}
