// Prepaid top-up cards: importing card batches and redeeming a card onto a user's personal account.
import type { AccountsService } from "../accounts/service.js";
import type { Database } from "../db/database.js";
import type { Clock } from "../kernel/clock.js";
import { formatMoney } from "../kernel/money.js";
import { checkReadableFile } from "../kernel/text-file.js";
import type { UsersService } from "../users/service.js";
import { parseCardFile, requireNoErrors } from "./card-file.js";
import { insertCard, markCardUsed, selectCard, selectCardBatches, type CardBatchRow } from "./queries.js";

export type UseCardOutcome = "SUCCESS" | "UNKNOWN_USER" | "INVALID_CARD_NUMBER" | "CARD_IS_USED" | "CARD_HAS_EXPIRED";

export interface CardImportOutcome {
  imported: number;
  alreadyPresent: number;
  batches: string[];
}

/** The server's local date as yyyy-MM-dd. */
export function localDate(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
}

export class CardsService {
  constructor(
    private readonly db: Database,
    private readonly users: UsersService,
    private readonly accounts: AccountsService,
    private readonly clock: Clock,
  ) {}

  /**
   * Imports a card batch file all-or-nothing. A card already imported with the same batch, value and
   * expiry is skipped (re-importing a file is harmless); the same number with other details is an error.
   */
  async importCardFile(path: string): Promise<CardImportOutcome> {
    await checkReadableFile(path, "card file");
    const parsed = await parseCardFile(path);
    requireNoErrors(parsed);
    const now = this.clock.now();
    return this.db.write(async (trx) => {
      let imported = 0;
      let alreadyPresent = 0;
      const problems: string[] = [];
      for (const card of parsed.cards) {
        const existing = await selectCard(trx, card.cardNumber);
        if (existing) {
          if (existing.batch_id === card.batchId && existing.value === card.value && existing.expires_on === card.expiresOn) alreadyPresent++;
          else problems.push(`Line ${card.line}: card number ${card.cardNumber} already exists in batch ${existing.batch_id}.`);
          continue;
        }
        await insertCard(trx, {
          card_number: card.cardNumber,
          batch_id: card.batchId,
          value: card.value,
          value_display: card.valueDisplay,
          expires_on: card.expiresOn,
          expires_display: card.expiresDisplay,
          imported_at: now,
        });
        imported++;
      }
      requireNoErrors({ cards: [], errors: problems });
      return { imported, alreadyPresent, batches: [...new Set(parsed.cards.map((c) => c.batchId))].sort() };
    });
  }

  /** Every imported batch with its counts of cards and redeemed cards. */
  async listBatches(): Promise<CardBatchRow[]> {
    return selectCardBatches(this.db.kysely);
  }

  /** Redeems a card once onto the user's personal account; problems are outcomes, not faults. */
  async useCard(username: string, cardNumber: string, createdBy: string): Promise<UseCardOutcome> {
    const number = cardNumber.trim();
    const now = this.clock.now();
    return this.db.write(async (trx) => {
      const accountId = await this.users.defaultPersonalAccountId(trx, username);
      if (accountId === undefined) return "UNKNOWN_USER";
      if (number === "") return "INVALID_CARD_NUMBER";
      const card = await selectCard(trx, number);
      if (!card) return "INVALID_CARD_NUMBER";
      if (card.used_at !== null) return "CARD_IS_USED";
      if (localDate(now) > card.expires_on) return "CARD_HAS_EXPIRED";
      if (!(await markCardUsed(trx, number, username, now))) return "CARD_IS_USED";
      await this.accounts.adjustBalance(trx, accountId, card.value, {
        kind: "card",
        comment: `Prepaid card ${card.card_number} (batch ${card.batch_id}), value ${card.value_display || formatMoney(card.value)}`,
        createdBy,
      });
      return "SUCCESS";
    });
  }
}

