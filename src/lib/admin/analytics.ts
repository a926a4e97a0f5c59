import { toCredits } from "../billing/rules.ts";

export interface AnalyticsDay {
  day: string;
  signUps: number;
  activeUsers: number;
  /** Model steps answered (each assistant reply takes one or more). */
  modelSteps: number;
  tokens: number;
  creditsGranted: number;
  creditsSold: number;
  creditsUsed: number;
  revenueCents: number;
}

export interface PlatformAnalytics {
  from: string;
  to: string;
  days: AnalyticsDay[];
  totals: Omit<AnalyticsDay, "day" | "activeUsers"> & { users: number; agents: number };
}

const DAY_MS = 86_400_000;
const dayOf = (column: string) => `strftime('%Y-%m-%d', ${column} / 1000, 'unixepoch')`;

/**
 * The platform per UTC day over the last `days` days: sign-ups, active users (a session created or seen that day),
 * model steps and tokens, credits granted (free allowance and admin adjustments), sold and used, and revenue.
 */
export async function platformAnalytics(d1: D1Database, days: number, now = new Date()): Promise<PlatformAnalytics> {
  const end = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY_MS;
  const start = end - days * DAY_MS;
  type Row = Record<string, number | string | null>;
  const [signUps, active, ledger, revenue, counts] = await d1.batch<Row>([
    d1.prepare(`SELECT ${dayOf("created_at")} AS day, COUNT(*) AS n FROM user WHERE created_at >= ?1 GROUP BY day`).bind(start),
    d1
      .prepare(
        `SELECT day, COUNT(DISTINCT user_id) AS n FROM (
           SELECT ${dayOf("created_at")} AS day, user_id FROM session WHERE created_at >= ?1
           UNION ALL SELECT ${dayOf("last_seen_at")} AS day, user_id FROM session WHERE last_seen_at >= ?1
         ) GROUP BY day`,
      )
      .bind(start),
    d1
      .prepare(
        `SELECT ${dayOf("created_at")} AS day,
           COUNT(CASE WHEN kind = 'usage' THEN input_tokens END) AS steps,
           COALESCE(SUM(CASE WHEN kind = 'usage' THEN COALESCE(input_tokens, 0) + COALESCE(output_tokens, 0) END), 0) AS tokens,
           COALESCE(SUM(CASE WHEN kind IN ('monthly_grant', 'adjustment') AND amount_millicredits > 0 THEN amount_millicredits END), 0) AS granted,
           COALESCE(SUM(CASE WHEN kind = 'purchase' THEN amount_millicredits END), 0) AS sold,
           COALESCE(-SUM(CASE WHEN kind = 'usage' THEN amount_millicredits END), 0) AS used
         FROM ledger_entry WHERE created_at >= ?1 GROUP BY day`,
      )
      .bind(start),
    d1
      .prepare(
        `SELECT ${dayOf("created_at")} AS day, COALESCE(SUM(amount_cents), 0) AS cents FROM credit_purchase WHERE created_at >= ?1 GROUP BY day`,
      )
      .bind(start),
    d1.prepare(`SELECT (SELECT COUNT(*) FROM user) AS users, (SELECT COUNT(*) FROM agent) AS agents`),
  ]);
  const byDay = (rows: Row[] | undefined) => new Map((rows ?? []).map((r) => [String(r.day), r]));
  const s = byDay(signUps?.results);
  const a = byDay(active?.results);
  const l = byDay(ledger?.results);
  const r = byDay(revenue?.results);
  const series: AnalyticsDay[] = [];
  for (let t = start; t < end; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    const ledgerRow = l.get(day);
    series.push({
      day,
      signUps: Number(s.get(day)?.n ?? 0),
      activeUsers: Number(a.get(day)?.n ?? 0),
      modelSteps: Number(ledgerRow?.steps ?? 0),
      tokens: Number(ledgerRow?.tokens ?? 0),
      creditsGranted: toCredits(Number(ledgerRow?.granted ?? 0)),
      creditsSold: toCredits(Number(ledgerRow?.sold ?? 0)),
      creditsUsed: toCredits(Number(ledgerRow?.used ?? 0)),
      revenueCents: Number(r.get(day)?.cents ?? 0),
    });
  }
  const sum = (key: keyof AnalyticsDay) => series.reduce((n, d) => n + Number(d[key]), 0);
  const c = counts?.results[0] ?? {};
  return {
    from: series[0]!.day,
    to: series.at(-1)!.day,
    days: series,
    totals: {
      signUps: sum("signUps"),
      modelSteps: sum("modelSteps"),
      tokens: sum("tokens"),
      creditsGranted: Math.round(sum("creditsGranted") * 1000) / 1000,
      creditsSold: Math.round(sum("creditsSold") * 1000) / 1000,
      creditsUsed: Math.round(sum("creditsUsed") * 1000) / 1000,
      revenueCents: sum("revenueCents"),
      users: Number(c.users ?? 0),
      agents: Number(c.agents ?? 0),
    },
  };
}
