// Creates shared account rows directly, for tests that charge shared accounts without going through
// the shared-account API. The opening balance goes through the ledger, so balance = sum of ledger rows.
import type { AppContext } from "../../src/context.js";
import type { Micros } from "../../src/kernel/money.js";

export interface SharedAccountSeed {
  balance?: Micros;
  restricted?: boolean;
  overdraftMode?: "default" | "individual";
  overdraftAmount?: Micros;
  disabled?: boolean;
  disabledUntil?: number | null;
}

export async function createSharedAccount(app: AppContext, fullName: string, seed: SharedAccountSeed = {}): Promise<number> {
  return app.db.write(async (trx) => {
    const row = await trx
      .insertInto("accounts")
      .values({
        account_type: "shared",
        name: fullName,
        created_at: app.clock.now(),
        restricted: seed.restricted ? 1 : 0,
        overdraft_mode: seed.overdraftMode ?? "default",
        overdraft_amount: seed.overdraftAmount ?? 0,
        disabled: seed.disabled ? 1 : 0,
        disabled_until: seed.disabledUntil ?? null,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    if (seed.balance) await app.accounts.adjustBalance(trx, row.id, seed.balance, { kind: "adjustment", comment: "opening balance", createdBy: "test" });
    return row.id;
  });
}

export async function accountRow(app: AppContext, id: number) {
  return app.db.kysely.selectFrom("accounts").selectAll().where("id", "=", id).executeTakeFirstOrThrow();
}
