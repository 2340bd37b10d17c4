// Assembles the method table from every feature's methods.ts. Hardware- and licence-only methods that no
// feature serves are added last and answer with a NotSupported fault.
import { configMethods } from "../config/methods.js";
import { securityMethods } from "../security/methods.js";
import { withUnsupported } from "../unsupported/methods.js";
import { accountSelectionMethods, userMethods } from "../users/methods.js";
import { printerMethods } from "../printers/methods.js";
import { jobMethods } from "../jobs/methods.js";
import type { MethodDefinition } from "./method-table.js";
import { sharedAccountMethods } from "../shared-accounts/methods.js";
import { groupMethods } from "../groups/methods.js";
import { adminAccessMethods } from "../admin-access/methods.js";
import { taskMethods } from "../tasks/methods.js";
import { backupMethods } from "../backup/methods.js";
import { cardMethods } from "../cards/methods.js";
import { importMethods } from "../imports/methods.js";
import { directoryMethods } from "../directory/methods.js";
import { exportMethods } from "../exports/methods.js";

export const METHODS: readonly MethodDefinition[] = withUnsupported([
  ...configMethods,
  ...userMethods,
  ...accountSelectionMethods,
  ...sharedAccountMethods,
  ...groupMethods,
  ...adminAccessMethods,
  ...printerMethods,
  ...jobMethods,
  ...securityMethods,
  ...taskMethods,
  ...backupMethods,
  ...cardMethods,
  ...importMethods,
  ...directoryMethods,
  ...exportMethods,
]);
