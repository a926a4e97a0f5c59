import { FREE_MONTHLY_ALLOWANCE_MILLICREDITS, monthKey } from "./rules.ts";

/**
 * The statements that give a personal account its free credits for the month of `now`, at most once per account
 * and month whatever the races: the (account, month) primary key admits one row, and only the batch whose token
 * is in that row writes the expiry of last month's unused free credits and the new grant. Teams get nothing, and
 * a month earlier than one already granted (a clock set back) is never granted.
 */
export function monthlyAllowanceStatements(d1: D1Database, accountId: string, now: Date): D1PreparedStatement[] {
  const month = monthKey(now);
  const token = crypto.randomUUID();
  const at = now.getTime();
  const grantedByThisBatch = "EXISTS (SELECT 1 FROM monthly_allowance WHERE account_id = ?2 AND month = ?3 AND grant_token = ?4)";
  return [
    d1
      .prepare(
        `INSERT INTO monthly_allowance (account_id, month, grant_token, granted_at)
         SELECT id, ?3, ?4, ?1 FROM account
         WHERE id = ?2 AND kind = 'personal' AND deleted_at IS NULL
           AND NOT EXISTS (SELECT 1 FROM monthly_allowance WHERE account_id = ?2 AND month > ?3)
         ON CONFLICT (account_id, month) DO NOTHING`,
      )
      .bind(at, accountId, month, token),
    d1
      .prepare(
        `INSERT INTO ledger_entry (id, account_id, bucket, kind, amount_millicredits, balance_after_millicredits, reason, created_at)
         SELECT ?5, account_id, 'free', 'monthly_expiry', -free_millicredits, purchased_millicredits,
                'Unused free credits expired at the end of the month', ?1
         FROM credit_balance WHERE account_id = ?2 AND free_millicredits > 0 AND ${grantedByThisBatch}`,
      )
      .bind(at, accountId, month, token, crypto.randomUUID()),
    d1
      .prepare(
        `INSERT INTO ledger_entry (id, account_id, bucket, kind, amount_millicredits, balance_after_millicredits, reason, created_at)
         SELECT ?5, account_id, 'free', 'monthly_grant', ?6, purchased_millicredits + ?6, 'Free credits for ' || ?3, ?1
         FROM credit_balance WHERE account_id = ?2 AND ${grantedByThisBatch}`,
      )
      .bind(at, accountId, month, token, crypto.randomUUID(), FREE_MONTHLY_ALLOWANCE_MILLICREDITS),
    d1
      .prepare(`UPDATE credit_balance SET free_millicredits = ?5, updated_at = ?1 WHERE account_id = ?2 AND ${grantedByThisBatch}`)
      .bind(at, accountId, month, token, FREE_MONTHLY_ALLOWANCE_MILLICREDITS),
  ];
}

/**
 * The cron's share: grants this month's allowance to personal accounts that have not used the product yet this
 * month, so the balance page is right even before the first spend. Returns how many accounts it looked at.
 */
export async function grantDueMonthlyAllowances(d1: D1Database, now = new Date(), limit = 100): Promise<number> {
  const { results } = await d1
    .prepare(
      `SELECT id FROM account WHERE kind = 'personal' AND deleted_at IS NULL
         AND id NOT IN (SELECT account_id FROM monthly_allowance WHERE month = ?1) LIMIT ?2`,
    )
    .bind(monthKey(now), limit)
    .all<{ id: string }>();
  const at = now.getTime();
  const statements = results.flatMap(({ id }) => [
    d1
      .prepare(
        `INSERT INTO credit_balance (account_id, free_millicredits, purchased_millicredits, reserved_millicredits, updated_at)
         VALUES (?1, 0, 0, 0, ?2) ON CONFLICT (account_id) DO NOTHING`,
      )
      .bind(id, at),
    ...monthlyAllowanceStatements(d1, id, now),
  ]);
  if (statements.length > 0) await d1.batch(statements);
  return results.length;
}
