// api.processJob: parse the job details, then log the job and charge it in one transaction. The account
// charged follows the job's shared-account field and the user's account selection; restricted accounts
// are never taken below zero or their overdraft (the check and the charge are one atomic statement).
// A job that may not be charged is still logged, as DENIED with its reason, and charges nothing.
import type { AccountRow, AccountsService } from "../accounts/service.js";
import type { Database, Db, Trx } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { Invalid, NotFound } from "../kernel/errors.js";
import type { Micros } from "../kernel/money.js";
import { jobCost, paperSizeFromDimensions } from "../printers/charging.js";
import { isPrinterDisabled } from "../printers/properties.js";
import { chargingOf, type PrintersService } from "../printers/service.js";
import { isSharedAccountDisabled } from "../shared-accounts/properties.js";
import { isPrintingDisabled } from "../users/properties.js";
import type { Actor, UsersService } from "../users/service.js";
import { parseJobDetails, type JobDetails } from "./job-details.js";
import { insertJob, markJobDenied, selectJobs, type JobFilter, type JobRow } from "./queries.js";

export type { JobFilter, JobRow } from "./queries.js";

export const DENIED_REASONS = {
  printerDisabled: "PRINTER_DISABLED",
  userPrintingDisabled: "USER_PRINTING_DISABLED",
  sharedAccountDisabled: "SHARED_ACCOUNT_DISABLED",
  insufficientCredit: "INSUFFICIENT_CREDIT",
} as const;

export type JobOutcome =
  | { status: "IGNORED" }
  | { status: "CHARGED"; jobId: number; cost: Micros; accountId: number }
  | { status: "DENIED"; jobId: number; cost: Micros; reason: string };

/** Unique-index violations from two transactions creating the same user at once (PostgreSQL); the job is retried. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

export class JobsService {
  constructor(
    private readonly db: Database,
    private readonly users: UsersService,
    private readonly printers: PrintersService,
    private readonly accounts: AccountsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Logs and charges one job. Jobs of zero (or fewer) pages are accepted and ignored, as PaperCut does
   * not log jobs without printed pages.
   */
  async processJob(jobDetails: string, actor: Actor): Promise<JobOutcome> {
    const job = parseJobDetails(jobDetails);
    if (job.totalPages <= 0) return { status: "IGNORED" };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.write((trx) => this.logAndCharge(trx, job, actor));
      } catch (error) {
        if (attempt < 3 && isUniqueViolation(error)) continue;
        throw error;
      }
    }
  }

  /** The job log, oldest first, by user, printer, account (charged or allocated) and time range. */
  async listJobs(filter: JobFilter, db: Db | Trx = this.db.kysely): Promise<JobRow[]> {
    return selectJobs(db, filter);
  }

  private async logAndCharge(trx: Trx, job: JobDetails, actor: Actor): Promise<JobOutcome> {
    const now = this.clock.now();
    const { user, accountId: personalId } = await this.users.userForJob(trx, job.user);
    const printer = await this.printers.printerForJob(trx, job.server, job.printer);

    // Account selection: the job's shared-account field, else the user's automatic shared account.
    // Popups are bypassed for imported jobs, so every other mode charges the personal account.
    let sharedName = job.sharedAccount;
    if (sharedName === "" && user.account_selection_mode === "AUTO_CHARGE_TO_SHARED") sharedName = user.auto_shared_account;
    let shared: AccountRow | undefined;
    if (sharedName !== "") {
      shared = await this.accounts.findSharedAccount(trx, sharedName);
      if (!shared) throw new NotFound(`The shared account ${sharedName} does not exist.`);
    }
    // "Charge to personal when shared selected": the personal account pays, the shared account is recorded.
    const payerId = shared && !user.charge_personal_when_shared ? shared.id : personalId;

    let cost: Micros;
    try {
      // A job given only by its paper dimensions is charged as the matching standard size.
      const paperSizeName = job.paperSizeName || paperSizeFromDimensions(job.paperWidthMm, job.paperHeightMm);
      cost = job.cost ?? jobCost(chargingOf(printer), { ...job, paperSizeName }, user.cost_adjustment_percent);
    } catch (error) {
      if (error instanceof RangeError) throw new Invalid("The job's cost is out of range.");
      throw error;
    }

    let denied: string | undefined;
    if (isPrinterDisabled(printer, now)) denied = DENIED_REASONS.printerDisabled;
    else if (isPrintingDisabled(user, now)) denied = DENIED_REASONS.userPrintingDisabled;
    else if (shared && isSharedAccountDisabled(shared, now)) denied = DENIED_REASONS.sharedAccountDisabled;

    const jobId = await insertJob(trx, {
      created_at: now,
      printed_at: job.time ?? now,
      user_id: user.id,
      username: user.username,
      printer_id: printer.id,
      server_name: printer.server_name,
      printer_name: printer.printer_name,
      account_id: payerId,
      shared_account_id: shared?.id ?? null,
      shared_account_name: shared?.name ?? "",
      status: denied ? "DENIED" : "CHARGED",
      denied_reason: denied ?? "",
      cost,
      cost_given: job.cost !== undefined ? 1 : 0,
      charged: denied ? 0 : cost,
      total_pages: job.totalPages,
      color_pages: job.colorPages,
      copies: job.copies,
      duplex: job.duplex ? 1 : 0,
      grayscale: job.grayscale ? 1 : 0,
      job_type: job.jobType,
      invoice: job.invoice ? 1 : 0,
      document_size_kb: job.documentSizeKb,
      document_name: job.documentName,
      paper_size_name: job.paperSizeName,
      paper_width_mm: job.paperWidthMm,
      paper_height_mm: job.paperHeightMm,
      comment: job.comment,
      client_machine: job.clientMachine,
      client_ip: job.clientIp,
      created_by: actor.application,
    });
    if (denied) return { status: "DENIED", jobId, cost, reason: denied };

    if (cost > 0) {
      const comment = job.comment.trim() !== "" ? job.comment.trim() : `Print job on ${printer.display_name}${job.documentName ? `: ${job.documentName}` : ""}`;
      const charged = await this.accounts.adjustBalanceIfAvailable(trx, payerId, -cost, 0, { kind: "print-job", comment, createdBy: actor.application, jobId });
      if (!charged) {
        await markJobDenied(trx, jobId, DENIED_REASONS.insufficientCredit);
        return { status: "DENIED", jobId, cost, reason: DENIED_REASONS.insufficientCredit };
      }
    }
    await this.users.recordPrintUsage(trx, user.id, job.totalPages);
    await this.printers.recordPrintUsage(trx, printer.id, job.totalPages);
    if (shared) await this.accounts.recordPrintUsage(trx, shared.id, job.totalPages);
    return { status: "CHARGED", jobId, cost, accountId: payerId };
  }
}
