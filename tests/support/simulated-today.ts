/**
 * The "today" values every date-sensitive test runs under, so none depends on the real date: the last second of a
 * month (the next call may already be in the next month) and a leap day. Each scenario derives its dates from one of
 * these and sends that simulated time with every call (`X-Test-Now`, `POST /api/test/clock`, the cron's `time`).
 */
export const SIMULATED_TODAYS = ["2027-01-31T23:59:59.000Z", "2028-02-29T12:00:00.000Z"] as const;

const DAY_MS = 86_400_000;

/** `iso` moved by a number of milliseconds, as an ISO string. */
export function shifted(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** `iso` moved by whole days. */
export function daysFrom(iso: string, days: number): string {
  return shifted(iso, days * DAY_MS);
}

/** The first second of the month after the one `iso` is in (UTC). */
export function startOfNextMonth(iso: string): string {
  const at = new Date(iso);
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1, 0, 0, 1)).toISOString();
}

/** The calendar day (UTC) of `iso`, as `YYYY-MM-DD`. */
export function dayOf(iso: string): string {
  return iso.slice(0, 10);
}
