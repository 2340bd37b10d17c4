// Use cases for printers: properties, charging settings, groups, access groups, enable/disable, delete
// and rename. Each public method is one database transaction and knows nothing of XML or HTTP. Jobs use
// the trx-taking helpers at the end to find or create a printer and to count its usage.
import type { Database, Db, Trx } from "../db/database.js";
import type { GroupsService } from "../groups/service.js";
import type { Clock } from "../kernel/clock.js";
import { Conflict, Invalid, NotFound } from "../kernel/errors.js";
import type { Micros } from "../kernel/money.js";
import type { PrinterCharging } from "./charging.js";
import {
  ALL_PRINTERS,
  checkPrinterName,
  mergeAdvanced,
  parseAdvancedConfig,
  parseGroupList,
  planPrinterChange,
  printerDisplayName,
  readPrinterProperty,
  TEMPLATE_PRINTER_NAME,
  type PrinterRow,
  type PrinterView,
} from "./properties.js";
import * as q from "./queries.js";

export type { PrinterRow } from "./properties.js";

/** The fault code PaperCut answers getPrinterCostSimple with for a printer on another charging model. */
export const NOT_SIMPLE_FAULT = 292;

function checkPaging(offset: number, limit: number): void {
  if (offset < 0) throw new Invalid("offset must be zero or more.");
  if (limit < 0) throw new Invalid("limit must be zero or more.");
}

function printerNotFound(server: string, printer: string): NotFound {
  return new NotFound(`The printer ${printerDisplayName(server, printer)} does not exist.`);
}

export type { JobPrinter } from "./queries.js";

export function chargingOf(printer: Pick<PrinterRow, "cost_model" | "cost_per_page" | "advanced_config">): PrinterCharging {
  return { model: printer.cost_model, costPerPage: printer.cost_per_page, advanced: parseAdvancedConfig(printer.advanced_config) };
}

export class PrintersService {
  constructor(
    private readonly db: Database,
    private readonly groups: GroupsService,
    private readonly clock: Clock,
  ) {}

  // --- reads -----------------------------------------------------------------------------------

  async getPrinterProperties(server: string, printer: string, names: readonly string[]): Promise<string[]> {
    const view = await this.view(this.db.kysely, server, printer);
    return names.map((name) => readPrinterProperty(view, name));
  }

  /** `server\printer` names (and the template printer), sorted by code point, paged. */
  async listPrinters(offset: number, limit: number): Promise<string[]> {
    checkPaging(offset, limit);
    return q.selectDisplayNames(this.db.kysely, offset, limit);
  }

  async getPrinterCostSimple(server: string, printer: string): Promise<Micros> {
    const row = await this.requirePrinter(this.db.kysely, server, printer);
    if (row.cost_model !== "SIMPLE") {
      throw new Invalid(`The printer ${row.display_name} uses the ${row.cost_model} charging model, not SIMPLE.`, { faultCode: NOT_SIMPLE_FAULT });
    }
    return row.cost_per_page;
  }

  /** The printer row, or undefined; for reads by other features (job log views). */
  async findPrinter(server: string, printer: string, db: Db | Trx = this.db.kysely): Promise<PrinterRow | undefined> {
    return q.selectPrinter(db, printerDisplayName(server, printer));
  }

  // --- writes ----------------------------------------------------------------------------------

  /** Applies property writes all-or-nothing. */
  async setPrinterProperties(server: string, printer: string, writes: ReadonlyArray<readonly [string, string]>): Promise<void> {
    const change = planPrinterChange(writes);
    await this.db.write(async (trx) => {
      const row = await this.lockExisting(trx, server, printer);
      const patch = { ...change.printer };
      if (Object.keys(change.advanced).length > 0) {
        patch.advanced_config = JSON.stringify(mergeAdvanced(parseAdvancedConfig(row.advanced_config), change.advanced));
      }
      await q.updatePrinter(trx, row.id, patch);
    });
  }

  /** Switches the printer to the SIMPLE model with one cost per page. */
  async setPrinterCostSimple(server: string, printer: string, costPerPage: Micros): Promise<void> {
    if (costPerPage < 0) throw new Invalid("The cost per page must be zero or more.");
    await this.updateExisting(server, printer, () => ({ cost_model: "SIMPLE", cost_per_page: costPerPage }));
  }

  async resetPrinterCounts(server: string, printer: string, resetBy: string): Promise<void> {
    await this.updateExisting(server, printer, () => ({ job_count: 0, page_count: 0, counts_reset_by: resetBy, counts_reset_at: this.clock.now() }));
  }

  async enablePrinter(server: string, printer: string): Promise<void> {
    await this.updateExisting(server, printer, () => ({ disabled: 0, disabled_until: null }));
  }

  /** Disables for `minutes`; -1 until enabled again. A time-limited disable ends by itself (checked when read). */
  async disablePrinter(server: string, printer: string, minutes: number): Promise<void> {
    if (minutes < -1 || minutes === 0) throw new Invalid("disableMins must be a positive number of minutes, or -1 to disable until re-enabled.");
    const until = minutes === -1 ? null : this.clock.now() + minutes * 60_000;
    await this.updateExisting(server, printer, () => ({ disabled: 1, disabled_until: until }));
  }

  /** Deletes a printer, or with `[All Printers]` every printer of the server. Jobs keep pointing at the deleted rows. */
  async deletePrinter(server: string, printer: string): Promise<void> {
    if (server === "" && printer === TEMPLATE_PRINTER_NAME) throw new Invalid("The template printer cannot be deleted.");
    await this.db.write(async (trx) => {
      const now = this.clock.now();
      if (printer === ALL_PRINTERS) {
        if (server.trim() === "") throw new Invalid("Give the server whose printers to delete.");
        const count = await q.markServerPrintersDeleted(trx, server, now);
        if (count === 0) throw new NotFound(`The server ${server} has no printers.`);
        return;
      }
      const row = await this.lockExisting(trx, server, printer);
      await q.updatePrinter(trx, row.id, { deleted_at: now });
    });
  }

  /** Renames (or moves to another server) keeping the printer's id, settings, counters and job history. */
  async renamePrinter(server: string, printer: string, newServer: string, newPrinter: string): Promise<void> {
    if (server === "" && printer === TEMPLATE_PRINTER_NAME) throw new Invalid("The template printer cannot be renamed.");
    checkPrinterName(newServer, newPrinter);
    const target = printerDisplayName(newServer, newPrinter);
    await this.db.write(async (trx) => {
      const row = await this.lockExisting(trx, server, printer);
      if (row.display_name === target) return;
      if (await q.selectPrinter(trx, target)) throw new Conflict(`Cannot rename ${row.display_name}: a printer named ${target} already exists.`);
      await q.updatePrinter(trx, row.id, { server_name: newServer, printer_name: newPrinter, display_name: target });
    });
  }

  async addPrinterGroup(server: string, printer: string, groupName: string): Promise<void> {
    const name = groupName.trim();
    if (name === "") throw new Invalid("The printer group name must not be empty.");
    await this.db.write(async (trx) => {
      const row = await this.lockExisting(trx, server, printer);
      await q.insertGroupName(trx, "printer_groups", row.id, name);
    });
  }

  /** Replaces the printer's groups with a comma-separated list; "" clears them. */
  async setPrinterGroups(server: string, printer: string, groupNames: string): Promise<void> {
    const names = parseGroupList(groupNames);
    await this.db.write(async (trx) => {
      const row = await this.lockExisting(trx, server, printer);
      await q.deleteAllGroupNames(trx, "printer_groups", row.id);
      for (const name of names) await q.insertGroupName(trx, "printer_groups", row.id, name);
    });
  }

  /** Allows a user group to print to the printer; the group must exist. */
  async addPrinterAccessGroup(server: string, printer: string, groupName: string): Promise<void> {
    const name = groupName.trim();
    await this.db.write(async (trx) => {
      const row = await this.lockExisting(trx, server, printer);
      if (name === "" || !(await this.groups.isGroupExists(name, trx))) throw new NotFound(`The group ${name} does not exist.`);
      await q.insertGroupName(trx, "printer_access_groups", row.id, name);
    });
  }

  /** Removes a group from the printer's access list; removing a group not on the list changes nothing. */
  async removePrinterAccessGroup(server: string, printer: string, groupName: string): Promise<void> {
    await this.db.write(async (trx) => {
      const row = await this.lockExisting(trx, server, printer);
      await q.deleteGroupName(trx, "printer_access_groups", row.id, groupName.trim());
    });
  }

  /** Registers a printer for a print provider: creates it from the template unless it exists. Returns true when created. */
  async registerPrinter(server: string, printer: string): Promise<boolean> {
    checkPrinterName(server, printer);
    return this.db.write(async (trx) => {
      if (await q.selectPrinter(trx, printerDisplayName(server, printer))) return false;
      await this.printerForJob(trx, server, printer);
      return true;
    });
  }

  // --- for jobs, inside the caller's transaction -------------------------------------------------

  /** The live printer of that name, created from the template printer's settings if it does not exist. */
  async printerForJob(trx: Trx, server: string, printer: string): Promise<q.JobPrinter> {
    const name = printerDisplayName(server, printer);
    const existing = await q.selectJobPrinter(trx, name);
    if (existing) return existing;
    checkPrinterName(server, printer);
    const template = await q.selectPrinter(trx, TEMPLATE_PRINTER_NAME);
    await q.insertPrinterIfMissing(trx, {
      server_name: server,
      printer_name: printer,
      display_name: name,
      created_at: this.clock.now(),
      cost_model: template?.cost_model ?? "SIMPLE",
      cost_per_page: template?.cost_per_page ?? 0,
      advanced_config: template?.advanced_config ?? "{}",
      virtual: 0,
      device_functions: "",
      custom_field_1: "",
      custom_field_2: "",
      custom_field_3: "",
      custom_field_4: "",
      custom_field_5: "",
      custom_field_6: "",
    });
    const created = await q.selectJobPrinter(trx, name);
    if (!created) throw new Error(`printer ${name} vanished after insert`);
    return created;
  }

  /** Counts one job of `pages` pages on the printer. */
  async recordPrintUsage(trx: Trx, printerId: number, pages: number): Promise<void> {
    await q.addPrinterUsage(trx, printerId, pages);
  }

  // --- helpers ---------------------------------------------------------------------------------

  private async requirePrinter(db: Db | Trx, server: string, printer: string): Promise<PrinterRow> {
    const row = await q.selectPrinter(db, printerDisplayName(server, printer));
    if (!row) throw printerNotFound(server, printer);
    return row;
  }

  private async lockExisting(trx: Trx, server: string, printer: string): Promise<PrinterRow> {
    const row = await q.lockPrinter(trx, printerDisplayName(server, printer));
    if (!row) throw printerNotFound(server, printer);
    return row;
  }

  private async updateExisting(server: string, printer: string, patch: (row: PrinterRow) => Partial<PrinterRow>): Promise<void> {
    await this.db.write(async (trx) => {
      const row = await this.lockExisting(trx, server, printer);
      await q.updatePrinter(trx, row.id, patch(row));
    });
  }

  private async view(db: Db | Trx, server: string, printer: string): Promise<PrinterView> {
    const row = await this.requirePrinter(db, server, printer);
    const [groups, accessGroups] = await Promise.all([q.selectGroupNames(db, "printer_groups", row.id), q.selectGroupNames(db, "printer_access_groups", row.id)]);
    return { printer: row, advanced: parseAdvancedConfig(row.advanced_config), groups, accessGroups, now: this.clock.now() };
  }
}
