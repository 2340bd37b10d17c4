// Logs: the transaction log of every account, and the audit log of every admin and API change.
import { html, qs } from "../html.js";
import { displayTime, page, pageNumber, pager, subnav, type PageContext } from "../layout.js";
import type { WebResponse } from "../web-io.js";
import { transactionTable } from "./users.js";

const PAGE_SIZE = 50;

function logsNav(current: string) {
  return subnav([
    { href: "/admin/logs/transactions", label: "Transactions", current: current === "transactions" },
    { href: "/admin/logs/audit", label: "Audit log", current: current === "audit" },
  ]);
}

export async function showTransactionLog(ctx: PageContext): Promise<WebResponse> {
  const pageNo = pageNumber(ctx.query);
  const { rows, more } = await ctx.app.reports.listTransactions((pageNo - 1) * PAGE_SIZE, PAGE_SIZE);
  return page(ctx, {
    title: "Transaction log",
    section: "logs",
    body: html`${logsNav("transactions")}
${transactionTable(rows, true)}
${pager("/admin/logs/transactions", {}, pageNo, more)}`,
  });
}

const SOURCES: ReadonlyArray<{ value: string; label: string }> = [
  { value: "", label: "Everything" },
  { value: "api", label: "API calls" },
  { value: "web", label: "Admin interface" },
];

export async function showAuditLog(ctx: PageContext): Promise<WebResponse> {
  const pageNo = pageNumber(ctx.query);
  const source = ctx.query.get("source") ?? "";
  const { rows, more } = await ctx.app.auditLog.list({ source }, (pageNo - 1) * PAGE_SIZE, PAGE_SIZE);
  return page(ctx, {
    title: "Audit log",
    section: "logs",
    body: html`${logsNav("audit")}
<form class="inline" method="get" action="/admin/logs/audit">
  <div class="field"><label for="f-source">Show</label>
  <select id="f-source" name="source">${SOURCES.map((s) => html`<option value="${s.value}"${s.value === source ? html` selected` : ""}>${s.label}</option>`)}</select></div>
  <button type="submit">Filter</button>
</form>
<p class="hint">Every change made through the API or this interface: who (the API token's application name, or the signed-in administrator), when (UTC), from which address, and what.</p>
<table class="audit">
  <thead><tr><th scope="col">Time (UTC)</th><th scope="col">Source</th><th scope="col">Who</th><th scope="col">Address</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">Details</th></tr></thead>
  <tbody>
  ${rows.length === 0 ? html`<tr><td colspan="7">Nothing recorded yet.</td></tr>` : ""}
  ${rows.map(
    (r) => html`<tr><td>${displayTime(r.created_at)}</td><td>${r.source === "api" ? "API" : "Admin"}</td><td>${r.actor}</td><td class="mono">${r.address}</td><td>${r.action}</td><td>${r.target}</td><td>${r.detail}</td></tr>`,
  )}
  </tbody>
</table>
${pager(`/admin/logs/audit`, { source }, pageNo, more)}
<p class="hint"><a href="/admin/logs/audit${qs({ source })}">Refresh</a></p>`,
  });
}
