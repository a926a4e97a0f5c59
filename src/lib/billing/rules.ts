/** The credit rules (design.md section 4), in one place. Amounts are integer milli-credits: 1 credit = 1000. */

export const MILLICREDITS_PER_CREDIT = 1000;

/** Each personal account gets this many free credits per calendar month (UTC); unused ones expire. */
export const FREE_MONTHLY_ALLOWANCE_MILLICREDITS = 50 * MILLICREDITS_PER_CREDIT;

/** An open reservation older than this is presumed orphaned (its process crashed) and released by the cron. */
export const RESERVATION_TTL_MS = 60 * 60 * 1000;

/**
 * Sandbox compute is billed per CPU-millisecond at this rate (0.2 credits per CPU-minute): CPU time measured by
 * sandboxd from the command's cgroup, so waiting (an idle server, `sleep`, a slow download) costs next to nothing.
 * A backend that cannot measure CPU time (the Cloudflare container) bills wall-clock time at the same rate.
 */
export const SANDBOX_MILLICREDITS_PER_CPU_MINUTE = 200;

/** Where the out-of-credits message sends people. */
export const BUY_CREDITS_PATH = "/billing";

/** The UTC calendar month of a moment, as `YYYY-MM`: the key of the monthly allowance. */
export function monthKey(at: Date): string {
  return at.toISOString().slice(0, 7);
}

/** Milli-credits as credits with up to three decimals (the API's unit). */
export function toCredits(millicredits: number): number {
  return Math.round(millicredits) / MILLICREDITS_PER_CREDIT;
}

export function fromCredits(credits: number): number {
  return Math.round(credits * MILLICREDITS_PER_CREDIT);
}

/** Credits for people: up to two decimals. */
export function formatCredits(millicredits: number): string {
  const credits = millicredits / MILLICREDITS_PER_CREDIT;
  return credits.toLocaleString("en-US", { maximumFractionDigits: 2, minimumFractionDigits: 0 });
}
