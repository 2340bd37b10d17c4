// Helpers shared by the integration suites: the transport matrix, users created straight through the
// service (no slow password hash), fault assertions and the ledger invariant.
import assert from "node:assert/strict";
import type { UserRow } from "../../src/users/properties.js";
import { Fault, RpcClient } from "./rpc-client.js";
import { TEST_TOKEN, type TestServer } from "./server.js";

export const TRANSPORTS = ["http", "https"] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** A client for the server over the given transport (HTTPS with the self-signed certificate accepted). */
export function clientFor(t: TestServer, transport: Transport): RpcClient {
  return new RpcClient(transport === "https" ? t.httpsUrl : t.url, TEST_TOKEN);
}

/** Creates a user with its default personal account directly through the users service. */
export async function createUser(t: TestServer, username: string, fields: Partial<UserRow> = {}): Promise<number> {
  const { app } = t.server;
  return app.db.write((trx) => app.users.createUser(trx, { source: "test", ...fields, username }, { application: "tests" }));
}

/** Awaits a call that must fault, and checks its code and message. */
export async function assertFault(promise: Promise<unknown>, faultCode: number, message: RegExp): Promise<Fault> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Fault, `expected a fault, got ${String(error)}`);
    assert.equal(error.faultCode, faultCode, error.faultString);
    assert.match(error.faultString, message);
    return error;
  }
  assert.fail(`expected fault ${faultCode} ${message}, but the call succeeded`);
}

export async function userIdOf(t: TestServer, username: string): Promise<number> {
  const row = await t.server.app.db.kysely.selectFrom("users").select("id").where("username", "=", username).where("deleted_at", "is", null).executeTakeFirstOrThrow();
  return row.id;
}

/** Ledger rows of every personal account of a user (by id, so deleted users can be checked too), oldest first. */
export async function ledgerOfUser(t: TestServer, userId: number) {
  const db = t.server.app.db.kysely;
  return db
    .selectFrom("ledger")
    .innerJoin("accounts", "accounts.id", "ledger.account_id")
    .select(["ledger.id", "ledger.account_id", "ledger.amount", "ledger.balance_after", "ledger.kind", "ledger.comment", "ledger.created_by", "accounts.sub_name"])
    .where("accounts.user_id", "=", userId)
    .orderBy("ledger.id")
    .execute();
}

/** Asserts the ledger invariant for every account in the database: balance = sum of its ledger rows. */
export async function assertLedgerInvariant(t: TestServer): Promise<void> {
  const db = t.server.app.db.kysely;
  const accounts = await db.selectFrom("accounts").select(["id", "balance"]).execute();
  const sums = await db
    .selectFrom("ledger")
    .select(["account_id", (eb) => eb.fn.sum<number>("amount").as("total")])
    .groupBy("account_id")
    .execute();
  const byAccount = new Map(sums.map((s) => [Number(s.account_id), Number(s.total)]));
  for (const a of accounts) assert.equal(Number(a.balance), byAccount.get(Number(a.id)) ?? 0, `account ${a.id}: balance differs from the sum of its ledger`);
}
