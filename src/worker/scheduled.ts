import type { Env } from "../env.ts";

/** The cron trigger's work. Later issues add the monthly credit refresh, expired reservations and schedules. */
export async function runScheduledJobs(_env: Env, _now: Date): Promise<void> {}
