// The dashboard: counts and three charts rendered on the server as SVG (no script, works offline).
import { barChart, columnChart } from "../charts.js";
import { html, trusted } from "../html.js";
import { displayMoney, displayTime, page, type PageContext } from "../layout.js";
import type { WebResponse } from "../web-io.js";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function dayLabel(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

export async function showDashboard(ctx: PageContext): Promise<WebResponse> {
  const [users, figures] = await Promise.all([ctx.app.users.getTotalUsers(), ctx.app.reports.dashboard(30)]);
  const perDay = columnChart(
    figures.ledgerPerDay.map((d) => ({ label: dayLabel(d.day), value: d.count, caption: `${dayLabel(d.day)}: ${d.count} transactions, +${displayMoney(d.credits)} / −${displayMoney(d.debits)}` })),
    { title: "Transactions per day, last 30 days", labelEvery: 5, integer: true },
  );
  const balances = columnChart(
    figures.balanceBuckets.map((b) => ({ label: b.label, value: b.count, caption: `${b.count} users with a balance of ${b.label}` })),
    { title: "Users by balance", integer: true },
  );
  const spenders = barChart(
    figures.topSpenders.map((s) => ({ label: s.username, value: s.spent / 1_000_000, caption: `${s.username}: ${displayMoney(s.spent)}` })),
    { title: "Top 10 users by spend, last 30 days", format: (v) => v.toFixed(2) },
  );
  return page(ctx, {
    title: "Dashboard",
    section: "dashboard",
    body: html`<dl class="counts">
  <div class="card"><dt>Users</dt><dd>${users}</dd></div>
  <div class="card"><dt>Shared accounts</dt><dd>${figures.sharedAccounts}</dd></div>
  <div class="card"><dt>Total of user balances</dt><dd>${displayMoney(figures.totalPersonalBalance)}</dd></div>
  <div class="card"><dt>Transactions today</dt><dd>${figures.transactionsToday}</dd></div>
  <div class="card"><dt>Transactions, last 30 days</dt><dd>${figures.transactionsLast30Days}</dd></div>
</dl>
<div class="charts">
  <section class="card"><h2>Transactions per day</h2>${trusted(perDay)}<p class="hint">Days in UTC. Hover a bar for credits and debits.</p></section>
  <section class="card"><h2>Balances</h2>${trusted(balances)}</section>
  <section class="card"><h2>Top users by spend</h2>${trusted(spenders)}<p class="hint">Debits to personal accounts over the last 30 days.</p></section>
</div>
<p class="hint">Figures as of ${displayTime(figures.computedAt)} UTC; they are refreshed at most once a minute.</p>`,
  });
}
