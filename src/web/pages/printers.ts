// Printers: each with its charging model, cost per page, counts and state, and a button to enable or
// disable it — the same PrintersService calls as api.enablePrinter and api.disablePrinter.
import { isPrinterDisabled } from "../../printers/properties.js";
import { html } from "../html.js";
import { csrfField, displayMoney, displayTime, page, pageNumber, pager, type PageContext } from "../layout.js";
import { redirect, type WebResponse } from "../web-io.js";

const PAGE_SIZE = 50;

export async function showPrinters(ctx: PageContext): Promise<WebResponse> {
  const number = pageNumber(ctx.query);
  const names = await ctx.app.printers.listPrinters((number - 1) * PAGE_SIZE, PAGE_SIZE + 1);
  const more = names.length > PAGE_SIZE;
  const now = ctx.app.clock.now();
  const rows = [];
  for (const name of names.slice(0, PAGE_SIZE)) {
    const row = await ctx.app.printers.findPrinter("", name);
    if (row) rows.push(row);
  }
  return page(ctx, {
    title: "Printers",
    section: "printers",
    body: html`<table class="printers">
  <thead><tr><th scope="col">Printer</th><th scope="col">Cost model</th><th scope="col" class="num">Cost per page</th><th scope="col" class="num">Jobs</th><th scope="col" class="num">Pages</th><th scope="col">State</th><th scope="col">Change</th></tr></thead>
  <tbody>
  ${rows.length === 0 ? html`<tr><td colspan="7">No printers yet.</td></tr>` : ""}
  ${rows.map((p) => {
    const disabled = isPrinterDisabled(p, now);
    return html`<tr><td>${p.display_name}</td><td>${p.cost_model}</td><td class="num">${displayMoney(p.cost_per_page)}</td><td class="num">${p.job_count}</td><td class="num">${p.page_count}</td>
  <td>${disabled ? (p.disabled_until === null ? "Disabled" : `Disabled until ${displayTime(p.disabled_until)}`) : "Enabled"}</td>
  <td><form method="post" action="/admin/printers/state">${csrfField(ctx.session)}<input type="hidden" name="printer" value="${p.display_name}"><input type="hidden" name="action" value="${disabled ? "enable" : "disable"}">
  <button type="submit" class="secondary" aria-label="${`${disabled ? "Enable" : "Disable"} ${p.display_name}`}">${disabled ? "Enable" : "Disable"}</button></form></td></tr>`;
  })}
  </tbody>
</table>
${pager("/admin/printers", {}, number, more)}`,
  });
}

export async function submitPrinterState(ctx: PageContext): Promise<WebResponse> {
  const printer = ctx.form.get("printer") ?? "";
  const action = ctx.form.get("action") ?? "";
  if (action === "enable") await ctx.app.printers.enablePrinter("", printer);
  else if (action === "disable") await ctx.app.printers.disablePrinter("", printer, -1);
  else return showPrinters(ctx);
  await ctx.audit(`${action} printer`, printer, "");
  ctx.session.flash = `${printer} is now ${action}d.`;
  return redirect("/admin/printers");
}
