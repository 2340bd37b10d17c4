// API methods for printers, printer groups, printer access groups and simple charging.
import { int, method, money, optional, pairs, returns, string, strings } from "../rpc/method-table.js";

const ok = async (work: Promise<unknown>): Promise<boolean> => {
  await work;
  return true;
};

const where = [string("serverName"), string("printerName")] as const;

export const printerMethods = [
  method("api.listPrinters", [int("offset"), int("limit")], returns.strings, { summary: "Printers as 'server\\printer' (and the template printer), sorted, paged by offset and limit." }, ({ app }, offset, limit) =>
    app.printers.listPrinters(offset, limit),
  ),
  method("api.getPrinterProperty", [...where, string("propertyName")], returns.string, { summary: "One printer property as text." }, async ({ app }, server, printer, name) => {
    const [value] = await app.printers.getPrinterProperties(server, printer, [name]);
    return value;
  }),
  method(
    "api.getPrinterProperties",
    [...where, strings("propertyNames")],
    returns.strings,
    { summary: "Several printer properties, in the order asked; any bad name faults the whole call." },
    ({ app }, server, printer, names) => app.printers.getPrinterProperties(server, printer, names),
  ),
  method("api.setPrinterProperty", [...where, string("propertyName"), string("propertyValue")], returns.boolean, { summary: "Writes one printer property from text." }, ({ app }, server, printer, name, value) =>
    ok(app.printers.setPrinterProperties(server, printer, [[name, value]])),
  ),
  method(
    "api.setPrinterProperties",
    [...where, pairs("propertyNamesAndValues")],
    returns.boolean,
    { summary: "Writes several printer properties, all or nothing." },
    ({ app }, server, printer, writes) => ok(app.printers.setPrinterProperties(server, printer, writes)),
  ),
  method(
    "api.setPrinterCostSimple",
    [...where, money("costPerPage")],
    returns.boolean,
    { summary: "Switches the printer to the SIMPLE charging model with one cost per page." },
    ({ app }, server, printer, cost) => ok(app.printers.setPrinterCostSimple(server, printer, cost)),
  ),
  method("api.getPrinterCostSimple", [...where], returns.money, { summary: "The cost per page of a SIMPLE printer; fault 292 for another charging model." }, ({ app }, server, printer) =>
    app.printers.getPrinterCostSimple(server, printer),
  ),
  method("api.resetPrinterCounts", [...where, string("resetBy")], returns.boolean, { summary: "Zeroes the printer's job and page counts, recording who reset them." }, ({ app }, server, printer, by) =>
    ok(app.printers.resetPrinterCounts(server, printer, by)),
  ),
  method("api.addPrinterGroup", [...where, string("printerGroupName")], returns.boolean, { summary: "Adds the printer to a printer group (the group comes into being with its first printer)." }, ({ app }, server, printer, group) =>
    ok(app.printers.addPrinterGroup(server, printer, group)),
  ),
  method(
    "api.setPrinterGroups",
    [...where, string("printerGroupNames")],
    returns.boolean,
    { summary: "Replaces the printer's groups with a comma-separated list; an empty string clears them." },
    ({ app }, server, printer, groups) => ok(app.printers.setPrinterGroups(server, printer, groups)),
  ),
  // PaperCut's seed lists a duration for enablePrinter by mistake; a third int is accepted and ignored.
  method("api.enablePrinter", [...where, optional(int("ignoredDisableMins"))], returns.boolean, { summary: "Enables a disabled printer." }, ({ app }, server, printer) =>
    ok(app.printers.enablePrinter(server, printer)),
  ),
  method("api.disablePrinter", [...where, int("disableMins")], returns.boolean, { summary: "Disables the printer for the given minutes; -1 until enabled again." }, ({ app }, server, printer, minutes) =>
    ok(app.printers.disablePrinter(server, printer, minutes)),
  ),
  method("api.deletePrinter", [...where], returns.boolean, { summary: "Deletes a printer, or every printer of the server with '[All Printers]'; job history remains." }, ({ app }, server, printer) =>
    ok(app.printers.deletePrinter(server, printer)),
  ),
  method(
    "api.renamePrinter",
    [...where, string("newServerName"), string("newPrinterName")],
    returns.boolean,
    { summary: "Renames or moves a printer, keeping its settings, counters and job history." },
    ({ app }, server, printer, newServer, newPrinter) => ok(app.printers.renamePrinter(server, printer, newServer, newPrinter)),
  ),
  method("api.addPrinterAccessGroup", [...where, string("groupName")], returns.boolean, { summary: "Adds an existing user group to the groups allowed to print to the printer." }, ({ app }, server, printer, group) =>
    ok(app.printers.addPrinterAccessGroup(server, printer, group)),
  ),
  method("api.removePrinterAccessGroup", [...where, string("groupName")], returns.boolean, { summary: "Removes a user group from the groups allowed to print to the printer." }, ({ app }, server, printer, group) =>
    ok(app.printers.removePrinterAccessGroup(server, printer, group)),
  ),
  // Quire addition for print providers: registers a queue before its first job.
  method("api.registerPrinter", [...where], returns.boolean, { summary: "Quire: creates the printer from the template printer's settings unless it exists; true when created." }, ({ app }, server, printer) =>
    app.printers.registerPrinter(server, printer),
  ),
];
