// The stylesheet and the small script of the admin interface, served from memory under /admin/assets/.
// Every page works without the script; it prevents double submits, asks before risky changes and
// refreshes a background task's progress.

export const ADMIN_CSS = `
:root { --fg: #1d2330; --muted: #5b6475; --line: #d8dce4; --bg: #f6f7f9; --card: #fff; --accent: #2457c5; --bad: #b3261e; --good: #1e7a3c; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
header.top { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.5rem; background: #1d2a44; color: #fff; }
header.top a { color: #dfe6f5; text-decoration: none; padding: .3rem .5rem; border-radius: 4px; }
header.top a[aria-current="page"], header.top a:hover { background: #33436a; color: #fff; }
header.top .brand { font-weight: 700; font-size: 1.1rem; color: #fff; }
header.top nav.main { display: flex; gap: .4rem; flex: 1; }
header.top .signout { display: flex; align-items: center; gap: .5rem; }
header.top .signout button { background: transparent; color: #fff; border: 1px solid #5a6b94; }
main { max-width: 1100px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.5rem; margin: .8rem 0 1rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .6rem; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem 1.2rem; margin-bottom: 1rem; }
.counts { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: .8rem; margin-bottom: 1rem; }
.counts .card { margin: 0; }
.counts dt { color: var(--muted); font-size: .85rem; }
.counts dd { margin: 0; font-size: 1.6rem; font-weight: 600; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 1rem; }
.charts h2 { margin-top: 0; }
svg.chart { max-width: 100%; height: auto; font: 11px system-ui, sans-serif; }
svg.chart .bar { fill: #3f6fd8; }
svg.chart .bar:hover { fill: #1d47a3; }
svg.chart .grid { stroke: #e6e9ef; stroke-width: 1; }
svg.chart .baseline { stroke: #8a93a6; stroke-width: 1; }
svg.chart .axis { fill: #5b6475; }
svg.chart .label { fill: #1d2330; font-size: 12px; }
table { width: 100%; border-collapse: collapse; background: var(--card); border: 1px solid var(--line); }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f6; font-weight: 600; font-size: .9rem; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
.neg { color: var(--bad); }
.field { margin: 0 0 .8rem; }
.field label { display: block; font-weight: 600; margin-bottom: .2rem; }
.field.checkbox { display: flex; align-items: center; gap: .4rem; flex-wrap: wrap; }
.field.checkbox label { display: inline; margin: 0; }
input[type=text], input[type=password], input[type=search], textarea { width: 100%; max-width: 32rem; padding: .4rem .5rem; border: 1px solid #aab2c0; border-radius: 4px; font: inherit; }
textarea { font-family: ui-monospace, Menlo, Consolas, monospace; }
.has-error input, .has-error textarea { border-color: var(--bad); }
.error { color: var(--bad); margin: .25rem 0 0; font-weight: 500; }
.hint { color: var(--muted); margin: .2rem 0 0; font-size: .88rem; }
.warning { background: #fff4e5; border: 1px solid #f0b45a; border-radius: 6px; padding: .6rem .8rem; }
.flash { background: #e8f5ec; border: 1px solid #9bd0ac; color: var(--good); border-radius: 6px; padding: .5rem .8rem; }
button, .button { font: inherit; padding: .4rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary { background: #fff; color: var(--accent); }
button[disabled] { opacity: .6; cursor: progress; }
form.inline { display: flex; gap: .5rem; align-items: flex-end; flex-wrap: wrap; margin-bottom: 1rem; }
form.inline .field { margin: 0; }
.subnav { display: flex; gap: .3rem; margin-bottom: 1rem; border-bottom: 1px solid var(--line); }
.subnav a { padding: .4rem .8rem; text-decoration: none; border-radius: 4px 4px 0 0; }
.subnav a[aria-current="page"] { background: var(--card); border: 1px solid var(--line); border-bottom-color: var(--card); margin-bottom: -1px; font-weight: 600; }
.pager { display: flex; gap: 1rem; align-items: center; margin: .8rem 0; }
.two { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 1rem; }
.login { max-width: 380px; margin: 10vh auto; }
pre { white-space: pre-wrap; margin: 0; }
code, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: .9em; }
.muted { color: var(--muted); }
.balance { font-size: 2rem; font-weight: 600; margin: .2rem 0 1rem; font-variant-numeric: tabular-nums; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .35rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; padding: .4rem; }
`;

export const ADMIN_JS = `"use strict";
// Progressive enhancement only: each page works without this file.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { event.preventDefault(); return; }
  // One click, one change: a second click while the first submit is on its way does nothing.
  if (form.dataset.submitting === "1") { event.preventDefault(); return; }
  form.dataset.submitting = "1";
  var buttons = form.querySelectorAll("button[type=submit]");
  for (var i = 0; i < buttons.length; i++) buttons[i].disabled = true;
});
window.addEventListener("pageshow", function () {
  var forms = document.querySelectorAll("form[data-submitting]");
  for (var i = 0; i < forms.length; i++) {
    forms[i].removeAttribute("data-submitting");
    var buttons = forms[i].querySelectorAll("button[type=submit]");
    for (var j = 0; j < buttons.length; j++) buttons[j].disabled = false;
  }
});
// A background task's progress: poll its status while it runs (the page's Refresh link does the same by hand).
(function () {
  var message = document.getElementById("task-message");
  var state = document.getElementById("task-state");
  if (!message || !state || state.getAttribute("data-completed") === "true") return;
  var polls = 0;
  function poll() {
    if (++polls > 600) return;
    fetch(message.getAttribute("data-poll"), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (status) {
        if (!status) return;
        message.textContent = status.message;
        state.textContent = status.completed ? "Completed" : "Running…";
        state.setAttribute("data-completed", status.completed ? "true" : "false");
        if (!status.completed) window.setTimeout(poll, 1000);
      })
      .catch(function () { /* the Refresh link still works */ });
  }
  window.setTimeout(poll, 500);
})();
`;
