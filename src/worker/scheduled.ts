import type { Env } from "../env.ts";
import { grantDueMonthlyAllowances } from "../lib/billing/allowance.ts";
import { releaseExpiredReservations } from "../lib/billing/ledger.ts";
import { runDueAgentSchedules } from "../agent/schedule-catch-up.ts";
import { billBackgroundCompute } from "../lib/billing/background-compute.ts";

/**
 * The cron trigger's work: release reservations orphaned by crashes, grant due monthly allowances, catch up agent
 * schedules, bill background processes' CPU time.
 */
export async function runScheduledJobs(env: Env, now: Date): Promise<void> {
  const released = await releaseExpiredReservations(env.DB, now);
  const granted = await grantDueMonthlyAllowances(env.DB, now);
  const tasks = await runDueAgentSchedules(env, now);
  // Billed last: a sandbox daemon that does not answer must not hold up the ledger's own work.
  const bills = await billBackgroundCompute(env, now).catch((error: unknown) => {
    console.error("scheduled: background compute could not be billed", error);
    return [];
  });
  for (const bill of bills.filter((b) => b.stopped)) console.log(`scheduled: stopped the processes of ${bill.agentId}: out of credits`);
  if (released || granted || tasks)
    console.log(`scheduled: released ${released} expired reservations, refreshed ${granted} allowances, started ${tasks} scheduled tasks`);
}
