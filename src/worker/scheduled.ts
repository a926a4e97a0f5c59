import type { Env } from "../env.ts";
import { grantDueMonthlyAllowances } from "../lib/billing/allowance.ts";
import { releaseExpiredReservations } from "../lib/billing/ledger.ts";

/** The cron trigger's work: release reservations orphaned by crashes, then grant due monthly allowances. */
export async function runScheduledJobs(env: Env, now: Date): Promise<void> {
  const released = await releaseExpiredReservations(env.DB, now);
  const granted = await grantDueMonthlyAllowances(env.DB, now);
  if (released || granted) console.log(`scheduled: released ${released} expired reservations, refreshed ${granted} allowances`);
}
