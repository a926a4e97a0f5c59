import type { Env } from "../env.ts";
import { grantDueMonthlyAllowances } from "../lib/billing/allowance.ts";
import { releaseExpiredReservations } from "../lib/billing/ledger.ts";
import { runDueAgentSchedules } from "../agent/schedule-catch-up.ts";

/** The cron trigger's work: release reservations orphaned by crashes, grant due monthly allowances, catch up agent schedules. */
export async function runScheduledJobs(env: Env, now: Date): Promise<void> {
  const released = await releaseExpiredReservations(env.DB, now);
  const granted = await grantDueMonthlyAllowances(env.DB, now);
  const tasks = await runDueAgentSchedules(env, now);
  if (released || granted || tasks)
    console.log(`scheduled: released ${released} expired reservations, refreshed ${granted} allowances, started ${tasks} scheduled tasks`);
}
