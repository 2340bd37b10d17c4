// Options pages that start or feed background tasks: backups, the user directory and its sync, and
// top-up card batches; plus the running or last task's status, which the script refreshes by polling
// /admin/tasks/status (without the script, the page's refresh link shows the same).
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { directorySetting, isYes } from "../../directory/settings.js";
import { QuireError } from "../../kernel/errors.js";
import { html, type Html } from "../html.js";
import { checkbox, csrfField, displayMoney, displayTime, field, formError, page, type FieldErrors, type PageContext } from "../layout.js";
import { redirect, type WebResponse } from "../web-io.js";
import { optionsNav } from "./options.js";

async function taskPanel(ctx: PageContext, refresh: string): Promise<Html> {
  const status = await ctx.app.tasks.status();
  const state = status.message === "" ? "No background task has run yet." : status.completed ? "Completed" : "Running…";
  return html`<section class="card task" aria-labelledby="h-task">
  <h2 id="h-task">Background task</h2>
  <p id="task-state" role="status" data-completed="${status.completed ? "true" : "false"}">${state}</p>
  <pre id="task-message" class="mono" data-poll="/admin/tasks/status">${status.message}</pre>
  <p><a href="${refresh}">Refresh</a></p>
</section>`;
}

/** The task status as JSON for the page script: the same status api.getTaskStatus reports. */
export async function showTaskStatus(ctx: PageContext): Promise<WebResponse> {
  const status = await ctx.app.tasks.status();
  return { status: 200, body: JSON.stringify(status), contentType: "application/json; charset=utf-8" };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function errorMessage(error: unknown): string {
  if (error instanceof QuireError) return error.message;
  throw error;
}

// --- backups ---------------------------------------------------------------------------------------

async function renderBackups(ctx: PageContext, errors: FieldErrors = {}, status = 200): Promise<WebResponse> {
  const backups = ctx.app.backup.listBackups();
  return page(ctx, {
    title: "Backups",
    section: "options",
    status,
    body: html`${optionsNav("backups")}
${await taskPanel(ctx, "/admin/options/backups")}
<section class="card" aria-labelledby="h-backup-now">
  <h2 id="h-backup-now">Backup now</h2>
  <p class="hint">Writes a consistent snapshot of all data to the backups folder of the data directory while the server keeps running (the same as api.performOnlineBackup).</p>
  <form method="post" action="/admin/options/backups">
    ${csrfField(ctx.session)}
    ${formError(errors)}
    <button type="submit">Backup now</button>
  </form>
</section>
<h2>Backups in the data directory</h2>
<table class="backups">
  <thead><tr><th scope="col">File</th><th scope="col" class="num">Size</th><th scope="col">Written (UTC)</th></tr></thead>
  <tbody>
  ${backups.length === 0 ? html`<tr><td colspan="3">No backups yet.</td></tr>` : ""}
  ${backups.map((b) => html`<tr><td class="mono">${b.name}</td><td class="num">${formatBytes(b.bytes)}</td><td>${displayTime(b.modifiedAt)}</td></tr>`)}
  </tbody>
</table>`,
  });
}

export async function showBackups(ctx: PageContext): Promise<WebResponse> {
  return renderBackups(ctx);
}

export async function submitBackupNow(ctx: PageContext): Promise<WebResponse> {
  try {
    await ctx.app.backup.performOnlineBackup();
  } catch (error) {
    return renderBackups(ctx, { _form: errorMessage(error) }, 409);
  }
  await ctx.audit("start online backup", "", "");
  ctx.session.flash = "The backup has started; its progress is shown below.";
  return redirect("/admin/options/backups");
}

// --- user directory --------------------------------------------------------------------------------

const SOURCE_TYPES = ["none", "unix", "ldap", "custom", "file"] as const;
const TEXT_KEYS = ["user-source.custom-program", "user-source.file.users", "user-source.file.groups", "user-source.sync.max-delete-percent"] as const;
const FLAG_KEYS = ["user-source.sync.update-user-details", "user-source.sync.create-groups", "user-source.update-user-details-card-id"] as const;

interface DirectoryState {
  values?: Record<string, string>;
  errors?: FieldErrors;
  syncErrors?: FieldErrors;
  status?: number;
}

function currentDirectoryValues(ctx: PageContext): Record<string, string> {
  const values: Record<string, string> = {};
  for (const key of ["user-source.type", ...TEXT_KEYS]) values[key] = directorySetting(ctx.app.config, key);
  for (const key of FLAG_KEYS) values[key] = isYes(directorySetting(ctx.app.config, key)) ? "Y" : "N";
  return values;
}

async function renderDirectory(ctx: PageContext, state: DirectoryState = {}): Promise<WebResponse> {
  const values = state.values ?? currentDirectoryValues(ctx);
  const errors = state.errors ?? {};
  const type = values["user-source.type"];
  const typeError = errors["user-source.type"];
  return page(ctx, {
    title: "User directory",
    section: "options",
    status: state.status,
    body: html`${optionsNav("directory")}
${await taskPanel(ctx, "/admin/options/directory")}
<section class="card" aria-labelledby="h-sync">
  <h2 id="h-sync">Synchronize now</h2>
  <p class="hint">Adds new users from the directory, updates groups and (if set below) user details; never removes users (the same as api.performUserAndGroupSync).</p>
  <form method="post" action="/admin/options/directory/sync">
    ${csrfField(ctx.session)}
    ${formError(state.syncErrors)}
    <button type="submit">Synchronize now</button>
  </form>
</section>
<section class="card" aria-labelledby="h-source">
  <h2 id="h-source">Directory source</h2>
  <p class="hint">LDAP connection settings (ldap.*) are edited in the <a href="/admin/options/config?q=ldap.">config editor</a>.</p>
  <form method="post" action="/admin/options/directory">
    ${csrfField(ctx.session)}
    ${formError(errors)}
    <div class="field${typeError ? " has-error" : ""}"><label for="f-user-source-type">Source</label>
    <select id="f-user-source-type" name="user-source.type"${typeError ? html` aria-invalid="true" aria-describedby="f-user-source-type-error"` : ""}>${SOURCE_TYPES.map((t) => html`<option value="${t}"${t === type ? html` selected` : ""}>${t}</option>`)}</select>
    ${typeError ? html`<p class="error" id="f-user-source-type-error">${typeError}</p>` : ""}</div>
    ${field({ name: "user-source.custom-program", label: "Custom program (source “custom”)", value: values["user-source.custom-program"], errors })}
    ${field({ name: "user-source.file.users", label: "Users file (source “file”)", value: values["user-source.file.users"], errors })}
    ${field({ name: "user-source.file.groups", label: "Groups file (source “file”, optional)", value: values["user-source.file.groups"], errors })}
    ${field({ name: "user-source.sync.max-delete-percent", label: "Largest share of users a sync may delete (%)", value: values["user-source.sync.max-delete-percent"], errors, inputmode: "numeric" })}
    ${checkbox({ name: "user-source.sync.update-user-details", label: "Update details of existing users on sync", checked: values["user-source.sync.update-user-details"] === "Y", errors })}
    ${checkbox({ name: "user-source.update-user-details-card-id", label: "Take card/ID numbers, alias and PIN from the directory", checked: values["user-source.update-user-details-card-id"] === "Y", errors })}
    ${checkbox({ name: "user-source.sync.create-groups", label: "Create every directory group here", checked: values["user-source.sync.create-groups"] === "Y", errors })}
    <button type="submit">Save directory settings</button>
  </form>
</section>`,
  });
}

export async function showDirectory(ctx: PageContext): Promise<WebResponse> {
  return renderDirectory(ctx);
}

export async function submitDirectorySettings(ctx: PageContext): Promise<WebResponse> {
  const values: Record<string, string> = { "user-source.type": (ctx.form.get("user-source.type") ?? "").trim().toLowerCase() };
  for (const key of TEXT_KEYS) values[key] = (ctx.form.get(key) ?? "").trim();
  for (const key of FLAG_KEYS) values[key] = ctx.form.get(key) === "1" ? "Y" : "N";
  const errors: FieldErrors = {};
  const type = values["user-source.type"];
  if (!(SOURCE_TYPES as readonly string[]).includes(type)) errors["user-source.type"] = `Choose one of ${SOURCE_TYPES.join(", ")}.`;
  if (type === "custom" && values["user-source.custom-program"] === "") errors["user-source.custom-program"] = "Enter the program to run for the custom source.";
  if (type === "file" && values["user-source.file.users"] === "") errors["user-source.file.users"] = "Enter the users file for the file source.";
  const percent = values["user-source.sync.max-delete-percent"];
  if (!/^\d{1,3}$/.test(percent) || Number(percent) > 100) errors["user-source.sync.max-delete-percent"] = "Enter a whole number from 0 to 100.";
  if (Object.keys(errors).length > 0) return renderDirectory(ctx, { values, errors, status: 422 });
  // Checked whole above; only keys that change are written.
  const changed = Object.entries(values).filter(([key, value]) => ctx.app.config.get(key) !== value);
  for (const [key, value] of changed) {
    try {
      await ctx.app.config.set(key, value);
    } catch (error) {
      return renderDirectory(ctx, { values, errors: { [key]: errorMessage(error) }, status: 422 });
    }
  }
  await ctx.audit("set directory settings", "user-source", changed.map(([key, value]) => `${key}=${value}`).join(", "));
  ctx.session.flash = "The directory settings have been saved.";
  return redirect("/admin/options/directory");
}

export async function submitSync(ctx: PageContext): Promise<WebResponse> {
  try {
    await ctx.app.directory.performUserAndGroupSync({ application: ctx.session.identity.name });
  } catch (error) {
    return renderDirectory(ctx, { syncErrors: { _form: errorMessage(error) }, status: 409 });
  }
  await ctx.audit("start user and group sync", "", "");
  ctx.session.flash = "The synchronisation has started; its progress is shown below.";
  return redirect("/admin/options/directory");
}

// --- top-up cards ----------------------------------------------------------------------------------

async function renderCards(ctx: PageContext, errors: FieldErrors = {}, status = 200): Promise<WebResponse> {
  const batches = await ctx.app.cards.listBatches();
  const fileError = errors.file;
  return page(ctx, {
    title: "Top-up cards",
    section: "options",
    status,
    body: html`${optionsNav("cards")}
<section class="card" aria-labelledby="h-import">
  <h2 id="h-import">Import a card batch</h2>
  <form method="post" action="/admin/options/cards" enctype="multipart/form-data">
    ${csrfField(ctx.session)}
    ${formError(errors)}
    <div class="field${fileError ? " has-error" : ""}">
      <label for="f-file">Card file</label>
      <input type="file" id="f-file" name="file" required aria-describedby="f-file-hint${fileError ? " f-file-error" : ""}"${fileError ? html` aria-invalid="true"` : ""}>
      <p class="hint" id="f-file-hint">A card batch file as the card wizard writes it (UTF-16, header line CardNumber,BatchID,ValueNumber,Value,ExpDate,ExpDateDisplay). The whole file is imported or nothing; cards already imported are skipped.</p>
      ${fileError ? html`<p class="error" id="f-file-error">${fileError}</p>` : ""}
    </div>
    <button type="submit">Import cards</button>
  </form>
</section>
<h2>Batches</h2>
<table class="batches">
  <thead><tr><th scope="col">Batch</th><th scope="col" class="num">Cards</th><th scope="col" class="num">Redeemed</th><th scope="col" class="num">Unused</th><th scope="col" class="num">Total value</th><th scope="col">Imported (UTC)</th></tr></thead>
  <tbody>
  ${batches.length === 0 ? html`<tr><td colspan="6">No card batches yet.</td></tr>` : ""}
  ${batches.map(
    (b) => html`<tr><td>${b.batch_id}</td><td class="num">${b.cards}</td><td class="num">${b.redeemed}</td><td class="num">${b.cards - b.redeemed}</td><td class="num">${displayMoney(b.value)}</td><td>${displayTime(b.imported_at)}</td></tr>`,
  )}
  </tbody>
</table>`,
  });
}

export async function showCards(ctx: PageContext): Promise<WebResponse> {
  return renderCards(ctx);
}

export async function submitCardImport(ctx: PageContext): Promise<WebResponse> {
  const upload = ctx.files.get("file");
  if (!upload || upload.data.length === 0) return renderCards(ctx, { file: "Choose a card file to import." }, 422);
  // The service reads a file, as `quire cards import` does: the upload goes to a private temp file.
  const dir = mkdtempSync(join(tmpdir(), "quire-cards-"));
  let outcome;
  try {
    const path = join(dir, "cards.txt");
    writeFileSync(path, upload.data, { mode: 0o600 });
    outcome = await ctx.app.cards.importCardFile(path);
  } catch (error) {
    return renderCards(ctx, { file: errorMessage(error) }, 422);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await ctx.audit("import cards", upload.filename, `imported=${outcome.imported}, already present=${outcome.alreadyPresent}, batches=${outcome.batches.join(" ")}`);
  ctx.session.flash = `Imported ${outcome.imported} cards (${outcome.alreadyPresent} already present) in batch ${outcome.batches.join(", ")}.`;
  return redirect("/admin/options/cards");
}
