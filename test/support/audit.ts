// Runs `quire audit`'s checks and fails the test with the report when any invariant is broken. Every
// stress and crash test ends with it.
import assert from "node:assert/strict";
import { AuditService, formatAuditReport } from "../../src/audit/service.js";
import { Database } from "../../src/db/database.js";
import type { AppContext } from "../../src/context.js";

export async function assertAuditClean(target: AppContext | Database): Promise<void> {
  const audit = target instanceof Database ? new AuditService(target) : target.audit;
  const report = await audit.run();
  assert.ok(report.ok, formatAuditReport(report));
}
