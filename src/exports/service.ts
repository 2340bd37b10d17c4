// Files the server writes on request: the GDPR export of one user's data (CSV reports into a folder
// on the server) and the shared-account list file for User Client installs.
import { once } from "node:events";
import { accessSync, constants, createWriteStream, mkdirSync, renameSync, rmSync, statSync, writeFileSync, type WriteStream } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { AccountsService } from "../accounts/service.js";
import type { Database } from "../db/database.js";
import type { GroupsService } from "../groups/service.js";
import { Invalid } from "../kernel/errors.js";
import { formatMoney } from "../kernel/money.js";
import { csvField } from "../kernel/text-file.js";
import type { UsersService } from "../users/service.js";

export const GDPR_FILES = ["user-details.csv", "transactions.csv", "group-membership.csv", "print-job-log.csv"] as const;
export const CLIENT_ACCOUNTS_FORMAT = "quire-client-accounts 1";

const iso = (ms: number | null) => (ms === null ? "" : new Date(ms).toISOString());
const row = (fields: Array<string | number>) => fields.map((f) => csvField(String(f))).join(",") + "\r\n";

async function write(out: WriteStream, text: string): Promise<void> {
  if (!out.write(text)) await once(out, "drain");
}

async function close(out: WriteStream): Promise<void> {
  out.end();
  await once(out, "close");
}

export class ExportsService {
  constructor(
    private readonly db: Database,
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly groups: GroupsService,
    private readonly dataDir: string,
  ) {}

  /** Writes the CSV reports about one user into an existing, writable folder on the server. */
  async exportUserDataHistory(username: string, saveLocation: string): Promise<void> {
    const user = await this.users.requireUser(this.db.kysely, username);
    checkWritableDirectory(saveLocation);
    const kysely = this.db.kysely;
    const accounts = await this.accounts.personalAccountsOf(kysely, user.id);
    const balance = accounts.filter((a) => a.deleted_at === null).reduce((n, a) => n + a.balance, 0);
    const details = createWriteStream(join(saveLocation, "user-details.csv"), { mode: 0o600 });
    await write(details, row(["username", "full name", "email", "other emails", "department", "office", "primary card number", "secondary card number", "username alias", "home folder", "created", "restricted", "balance"]));
    const restricted = accounts.find((a) => a.sub_name === "")?.restricted === 1;
    await write(details, row([user.username, user.full_name, user.email, user.other_emails, user.department, user.office, user.primary_card ?? "", user.secondary_card ?? "", user.username_alias ?? "", user.home, iso(user.created_at), restricted ? "Y" : "N", formatMoney(balance)]));
    await close(details);

    const names = new Map(accounts.map((a) => [a.id, a.sub_name === "" ? "personal" : `personal/${a.sub_name}`]));
    const tx = createWriteStream(join(saveLocation, "transactions.csv"), { mode: 0o600 });
    await write(tx, row(["date", "account", "amount", "balance after", "type", "comment", "by"]));
    for (let afterId = 0; ; ) {
      const page = await this.accounts.ledgerPage(kysely, [...names.keys()], afterId, 1000);
      for (const l of page) await write(tx, row([iso(l.created_at), names.get(l.account_id) ?? "", formatMoney(l.amount), formatMoney(l.balance_after), l.kind, l.comment, l.created_by]));
      if (page.length < 1000) break;
      afterId = page[page.length - 1].id;
    }
    await close(tx);

    const groups = createWriteStream(join(saveLocation, "group-membership.csv"), { mode: 0o600 });
    await write(groups, row(["group"]));
    for (const g of await this.groups.groupNamesOfUser(user.id)) await write(groups, row([g]));
    await close(groups);

    // Print jobs are recorded by the printing feature; until it keeps a job log this report has only its header.
    const jobs = createWriteStream(join(saveLocation, "print-job-log.csv"), { mode: 0o600 });
    await write(jobs, row(["date", "printer", "pages", "color pages", "copies", "duplex", "paper size", "document name", "cost", "account charged", "client machine"]));
    await close(jobs);
  }

  /** Where createUserClientAccountsFile writes. */
  get clientAccountsFile(): string {
    return join(this.dataDir, "client", "client-accounts.dat");
  }

  /**
   * Writes the shared-account list for User Client installs: gzip of UTF-8 lines, a format line, then
   * one `full name<TAB>PIN required Y/N<TAB>flags` line per enabled live shared account (flags: R =
   * restricted). Written to a temporary file and renamed, so readers never see half a file.
   */
  async createUserClientAccountsFile(): Promise<string> {
    const target = this.clientAccountsFile;
    mkdirSync(join(this.dataDir, "client"), { recursive: true });
    const accounts = await this.accounts.listLiveSharedAccounts(this.db.kysely);
    const lines = [CLIENT_ACCOUNTS_FORMAT];
    for (const a of accounts) {
      if (a.disabled === 1) continue;
      lines.push(`${a.name}\t${a.pin !== "" ? "Y" : "N"}\t${a.restricted ? "R" : ""}`);
    }
    const partial = `${target}.partial`;
    try {
      writeFileSync(partial, gzipSync(Buffer.from(lines.join("\n") + "\n", "utf8")));
      renameSync(partial, target);
    } catch (error) {
      rmSync(partial, { force: true });
      throw error;
    }
    return target;
  }
}

function checkWritableDirectory(path: string): void {
  if (path.trim() === "") throw new Invalid("No save location was given.");
  let info;
  try {
    info = statSync(path);
  } catch {
    throw new Invalid(`The save location ${path} does not exist on the server.`);
  }
  if (!info.isDirectory()) throw new Invalid(`The save location ${path} is not a folder.`);
  try {
    accessSync(path, constants.W_OK);
  } catch {
    throw new Invalid(`The save location ${path} is not writable by the server.`);
  }
}
