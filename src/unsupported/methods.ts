// Public API methods that only make sense for PaperCut's own hardware integrations, licensing or JVM.
// Quire serves their names and signatures so clients get a clear "not supported" fault (501) rather than
// an unknown-method error. Methods of this list that a feature implements are served by that feature.
import { Invalid, NotSupported } from "../kernel/errors.js";
import { method, returns, string, strings, type MethodDefinition } from "../rpc/method-table.js";

const refuse = (what: string) => (): never => {
  throw new NotSupported(`${what} is not supported by Quire.`);
};

const SNMP_DEVICE = "SNMPv3 settings of devices (MFDs) are not managed by Quire";
const SNMP_PRINTER = "SNMPv3 monitoring of printers is not managed by Quire";

export const unsupportedMethods: readonly MethodDefinition[] = [
  method("api.getPrinterSnmpv3", [string("serverName"), string("printerName")], returns.string, { summary: `${SNMP_PRINTER}.` }, refuse("api.getPrinterSnmpv3")),
  method(
    "api.enablePrinterSnmpv3",
    [string("serverName"), string("printerName"), string("context"), string("username"), string("authPass"), string("privPass"), string("authProto"), string("privProto")],
    returns.boolean,
    { summary: `${SNMP_PRINTER}.` },
    refuse("api.enablePrinterSnmpv3"),
  ),
  method("api.disablePrinterSnmpv3", [string("serverName"), string("printerName")], returns.boolean, { summary: `${SNMP_PRINTER}.` }, refuse("api.disablePrinterSnmpv3")),
  method("api.getDeviceSnmpv3", [string("deviceName")], returns.string, { summary: `${SNMP_DEVICE}.` }, refuse("api.getDeviceSnmpv3")),
  method(
    "api.enableDeviceSnmpv3",
    [string("deviceName"), string("context"), string("username"), string("authPass"), string("privPass"), string("authProto"), string("privProto")],
    returns.boolean,
    { summary: `${SNMP_DEVICE}.` },
    refuse("api.enableDeviceSnmpv3"),
  ),
  method("api.disableDeviceSnmpv3", [string("deviceName")], returns.boolean, { summary: `${SNMP_DEVICE}.` }, refuse("api.disableDeviceSnmpv3")),
  method(
    "api.applyDeviceSettings",
    [string("deviceName")],
    returns.boolean,
    { summary: "Pushes staged settings to a PaperCut MFD embedded application; Quire has no embedded device software." },
    refuse("api.applyDeviceSettings"),
  ),
  method("api.installLicense", [string("licenseFile")], returns.boolean, { summary: "Installs a PaperCut licence file; Quire is open source and needs no licence." }, refuse("api.installLicense")),
  method("api.saveThreadSnapshot", [], returns.boolean, { summary: "Writes a Java thread dump to PaperCut's debug log; Quire is not a JVM application." }, refuse("api.saveThreadSnapshot")),
  method(
    "api.generateScheduledReport",
    [string("reportTitle"), string("saveLocation")],
    returns.boolean,
    { summary: "Runs one of PaperCut's scheduled reports; Quire has no report engine." },
    refuse("api.generateScheduledReport"),
  ),
  method(
    "api.generateAdHocReport",
    [string("reportType"), string("dataParams"), string("exportTypeExt"), string("reportTitle"), string("saveLocation")],
    returns.boolean,
    { summary: "Runs one of PaperCut's built-in reports; Quire has no report engine." },
    refuse("api.generateAdHocReport"),
  ),
  method(
    "api.runCommand",
    [string("commandName"), strings("args")],
    returns.string,
    { summary: "PaperCut's internal command hook; its command set is undocumented, so every command is unknown." },
    (_ctx, commandName) => {
      throw new Invalid(`Unknown command: ${commandName}`);
    },
  ),
];

/** Adds each unsupported method whose name no feature serves. */
export function withUnsupported(methods: readonly MethodDefinition[]): MethodDefinition[] {
  const served = new Set(methods.flatMap((m) => [m.name, ...m.aliases]));
  return [...methods, ...unsupportedMethods.filter((m) => !served.has(m.name))];
}

/** Whether a table entry is one of the NotSupported answers above. */
export function isUnsupported(def: MethodDefinition): boolean {
  return unsupportedMethods.includes(def);
}
