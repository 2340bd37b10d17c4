// The audit's SQL: each query returns the rows that break one invariant (empty when the data is sound).
import { sql } from "kysely";
import type { Db, Trx } from "../db/database.js";

/** Accounts whose balance differs from the sum of their ledger rows. */
export async function selectBalancesOffLedger(db: Db | Trx, limit: number) {
  return db
    .selectFrom("accounts as a")
    .leftJoin(
      (eb) => eb.selectFrom("ledger").select(["account_id", (e) => e.fn.sum<number>("amount").as("total")]).groupBy("account_id").as("l"),
      (join) => join.onRef("l.account_id", "=", "a.id"),
    )
    .select(["a.id", "a.account_type", "a.name", "a.user_id", "a.sub_name", "a.balance", (eb) => eb.fn.coalesce("l.total", eb.val(0)).as("ledger_total")])
    .where((eb) => eb("a.balance", "!=", eb.fn.coalesce("l.total", eb.val(0))))
    .orderBy("a.id")
    .limit(limit)
    .execute();
}

export async function countAccounts(db: Db | Trx): Promise<number> {
  const row = await db.selectFrom("accounts").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function countLedgerRows(db: Db | Trx): Promise<number> {
  const row = await db.selectFrom("ledger").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Ledger rows whose balance_after is not the running sum of the account's amounts up to and including
 * the row (accounts start at zero), i.e. where the chain of balances breaks. The first break per account.
 */
export async function selectBrokenChains(db: Db | Trx, limit: number) {
  const { rows } = await sql<{ account_id: number; id: number; amount: number; balance_after: number; running: number }>`
    select account_id, min(id) as id, min(amount) as amount, min(balance_after) as balance_after, min(running) as running
    from (
      select id, account_id, amount, balance_after,
             sum(amount) over (partition by account_id order by id rows between unbounded preceding and current row) as running
      from ledger
    ) chained
    where balance_after <> running
    group by account_id
    order by account_id
    limit ${limit}`.execute(db);
  return rows.map((r) => ({ account_id: Number(r.account_id), id: Number(r.id), amount: Number(r.amount), balance_after: Number(r.balance_after), running: Number(r.running) }));
}

export async function selectLedgerWithoutAccount(db: Db | Trx, limit: number) {
  return db
    .selectFrom("ledger as l")
    .leftJoin("accounts as a", "a.id", "l.account_id")
    .select(["l.id", "l.account_id"])
    .where("a.id", "is", null)
    .orderBy("l.id")
    .limit(limit)
    .execute();
}

export async function selectPersonalAccountsWithoutUser(db: Db | Trx, limit: number) {
  return db
    .selectFrom("accounts as a")
    .leftJoin("users as u", "u.id", "a.user_id")
    .select(["a.id", "a.user_id"])
    .where("a.account_type", "=", "personal")
    .where("u.id", "is", null)
    .orderBy("a.id")
    .limit(limit)
    .execute();
}

export async function selectChildAccountsWithoutParent(db: Db | Trx, limit: number) {
  return db
    .selectFrom("accounts as a")
    .leftJoin("accounts as p", "p.id", "a.parent_id")
    .select(["a.id", "a.name", "a.parent_id"])
    .where("a.parent_id", "is not", null)
    .where("p.id", "is", null)
    .orderBy("a.id")
    .limit(limit)
    .execute();
}

/** Live users without their default personal account. */
export async function selectUsersWithoutAccount(db: Db | Trx, limit: number) {
  return db
    .selectFrom("users as u")
    .select(["u.id", "u.username"])
    .where("u.deleted_at", "is", null)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom("accounts as a")
            .select("a.id")
            .whereRef("a.user_id", "=", "u.id")
            .where("a.account_type", "=", "personal")
            .where("a.sub_name", "=", "")
            .where("a.deleted_at", "is", null),
        ),
      ),
    )
    .orderBy("u.id")
    .limit(limit)
    .execute();
}

export async function selectMembershipsWithoutRows(db: Db | Trx, limit: number) {
  return db
    .selectFrom("group_members as m")
    .leftJoin("groups as g", "g.id", "m.group_id")
    .leftJoin("users as u", "u.id", "m.user_id")
    .select(["m.group_id", "m.user_id"])
    .where((eb) => eb.or([eb("g.id", "is", null), eb("u.id", "is", null)]))
    .limit(limit)
    .execute();
}

/** Jobs whose `charged` amount differs from what their ledger rows took (the sum of rows naming the job, negated). */
export async function selectJobsOffLedger(db: Db | Trx, limit: number) {
  const { rows } = await sql<{ id: number; status: string; charged: number; taken: number }>`
    select j.id, j.status, j.charged, coalesce(-l.total, 0) as taken
    from jobs j left join (select job_id, sum(amount) as total from ledger where job_id is not null group by job_id) l on l.job_id = j.id
    where j.charged <> coalesce(-l.total, 0)
    order by j.id
    limit ${limit}`.execute(db);
  return rows.map((r) => ({ id: Number(r.id), status: r.status, charged: Number(r.charged), taken: Number(r.taken) }));
}

export async function selectLedgerWithoutJob(db: Db | Trx, limit: number) {
  return db
    .selectFrom("ledger as l")
    .leftJoin("jobs as j", "j.id", "l.job_id")
    .select(["l.id", "l.job_id"])
    .where("l.job_id", "is not", null)
    .where("j.id", "is", null)
    .orderBy("l.id")
    .limit(limit)
    .execute();
}

/**
 * Printers whose job and page counters differ from their charged jobs in the job log: exactly for a
 * printer never reset; at most the jobs since the reset for one that was.
 */
export async function selectPrintersOffJobLog(db: Db | Trx, limit: number) {
  const { rows } = await sql<{ id: number; server_name: string; printer_name: string; job_count: number; page_count: number; jobs: number; pages: number; reset: number }>`
    select p.id, p.server_name, p.printer_name, p.job_count, p.page_count,
           coalesce(j.jobs, 0) as jobs, coalesce(j.pages, 0) as pages, case when p.counts_reset_at is null then 0 else 1 end as reset
    from printers p
    left join (
      select jj.printer_id, count(*) as jobs, sum(jj.total_pages) as pages
      from jobs jj join printers pp on pp.id = jj.printer_id
      where jj.status = 'CHARGED' and (pp.counts_reset_at is null or jj.created_at >= pp.counts_reset_at)
      group by jj.printer_id
    ) j on j.printer_id = p.id
    where (p.counts_reset_at is null and (p.job_count <> coalesce(j.jobs, 0) or p.page_count <> coalesce(j.pages, 0)))
       or (p.counts_reset_at is not null and (p.job_count > coalesce(j.jobs, 0) or p.page_count > coalesce(j.pages, 0)))
    order by p.id
    limit ${limit}`.execute(db);
  return rows.map((r) => ({ ...r, id: Number(r.id), job_count: Number(r.job_count), page_count: Number(r.page_count), jobs: Number(r.jobs), pages: Number(r.pages), reset: Number(r.reset) }));
}

/** Shared accounts whose job and page counters differ from the charged jobs that name them. */
export async function selectSharedAccountsOffJobLog(db: Db | Trx, limit: number) {
  const { rows } = await sql<{ id: number; name: string; job_count: number; page_count: number; jobs: number; pages: number }>`
    select a.id, a.name, a.job_count, a.page_count, coalesce(j.jobs, 0) as jobs, coalesce(j.pages, 0) as pages
    from accounts a
    left join (select shared_account_id, count(*) as jobs, sum(total_pages) as pages from jobs where status = 'CHARGED' and shared_account_id is not null group by shared_account_id) j
      on j.shared_account_id = a.id
    where a.account_type = 'shared' and (a.job_count <> coalesce(j.jobs, 0) or a.page_count <> coalesce(j.pages, 0))
    order by a.id
    limit ${limit}`.execute(db);
  return rows.map((r) => ({ ...r, id: Number(r.id), job_count: Number(r.job_count), page_count: Number(r.page_count), jobs: Number(r.jobs), pages: Number(r.pages) }));
}
