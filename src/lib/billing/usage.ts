import { toCredits } from "./rules.ts";

export interface AgentUsage {
  credits: number;
  inputTokens: number;
  outputTokens: number;
  modelSteps: number;
  sandboxMs: number;
  days: { day: string; credits: number; inputTokens: number; outputTokens: number }[];
}

/** What an agent has used, in total and per UTC day over the last `days` days, from its usage ledger rows. */
export async function agentUsage(d1: D1Database, accountId: string, agentId: string, now = new Date(), days = 30): Promise<AgentUsage> {
  const since = now.getTime() - days * 86_400_000;
  const [totals, perDay] = await d1.batch<Record<string, number | string | null>>([
    d1
      .prepare(
        `SELECT COALESCE(-SUM(amount_millicredits), 0) AS spent, COALESCE(SUM(input_tokens), 0) AS input,
                COALESCE(SUM(output_tokens), 0) AS output, COUNT(input_tokens) AS steps, COALESCE(SUM(sandbox_ms), 0) AS sandbox
         FROM ledger_entry WHERE account_id = ?1 AND agent_id = ?2 AND kind = 'usage'`,
      )
      .bind(accountId, agentId),
    d1
      .prepare(
        `SELECT strftime('%Y-%m-%d', created_at / 1000, 'unixepoch') AS day, -SUM(amount_millicredits) AS spent,
                COALESCE(SUM(input_tokens), 0) AS input, COALESCE(SUM(output_tokens), 0) AS output
         FROM ledger_entry WHERE account_id = ?1 AND agent_id = ?2 AND kind = 'usage' AND created_at >= ?3
         GROUP BY day ORDER BY day`,
      )
      .bind(accountId, agentId, since),
  ]);
  const t = totals?.results[0] ?? {};
  return {
    credits: toCredits(Number(t.spent ?? 0)),
    inputTokens: Number(t.input ?? 0),
    outputTokens: Number(t.output ?? 0),
    modelSteps: Number(t.steps ?? 0),
    sandboxMs: Number(t.sandbox ?? 0),
    days: (perDay?.results ?? []).map((r) => ({
      day: String(r.day),
      credits: toCredits(Number(r.spent ?? 0)),
      inputTokens: Number(r.input ?? 0),
      outputTokens: Number(r.output ?? 0),
    })),
  };
}

export type UsageGroup = "day" | "agent" | "model";

export interface UsageRow {
  /** The day (`YYYY-MM-DD`, UTC), agent id or model id; null for usage without an agent or a model (sandbox time). */
  key: string | null;
  label: string;
  credits: number;
  inputTokens: number;
  outputTokens: number;
  modelSteps: number;
}

export interface UsageReport {
  from: string;
  to: string;
  groupBy: UsageGroup;
  totals: Omit<UsageRow, "key" | "label">;
  rows: UsageRow[];
}

const DAY_MS = 86_400_000;
export const MAX_USAGE_RANGE_DAYS = 366;

function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += DAY_MS) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/**
 * An account's usage between two UTC days (both included), grouped by day (every day present, zeros included),
 * agent (with its current name; a deleted agent keeps its id) or model, with totals. Credits are what was charged.
 */
export async function usageReport(
  d1: D1Database,
  accountId: string,
  range: { from: string; to: string; groupBy: UsageGroup },
): Promise<UsageReport> {
  const start = Date.parse(`${range.from}T00:00:00Z`);
  const end = Date.parse(`${range.to}T00:00:00Z`) + DAY_MS;
  const key =
    range.groupBy === "day"
      ? "strftime('%Y-%m-%d', l.created_at / 1000, 'unixepoch')"
      : range.groupBy === "agent"
        ? "l.agent_id"
        : "l.model_id";
  const label = range.groupBy === "agent" ? "MAX(a.name)" : range.groupBy === "model" ? "MAX(m.label)" : "NULL";
  const { results } = await d1
    .prepare(
      `SELECT ${key} AS key, ${label} AS label, -SUM(l.amount_millicredits) AS spent, COALESCE(SUM(l.input_tokens), 0) AS input,
              COALESCE(SUM(l.output_tokens), 0) AS output, COUNT(l.input_tokens) AS steps
       FROM ledger_entry l
       LEFT JOIN agent a ON a.id = l.agent_id AND a.account_id = l.account_id
       LEFT JOIN model m ON m.id = l.model_id
       WHERE l.account_id = ?1 AND l.kind = 'usage' AND l.created_at >= ?2 AND l.created_at < ?3
       GROUP BY key ORDER BY spent DESC`,
    )
    .bind(accountId, start, end)
    .all<{ key: string | null; label: string | null; spent: number; input: number; output: number; steps: number }>();
  const rows: UsageRow[] = results.map((r) => ({
    key: r.key,
    label: r.label ?? r.key ?? (range.groupBy === "model" ? "Sandbox time" : "No agent"),
    credits: toCredits(Number(r.spent)),
    inputTokens: Number(r.input),
    outputTokens: Number(r.output),
    modelSteps: Number(r.steps),
  }));
  const spent = results.reduce((n, r) => n + Number(r.spent), 0);
  const totals = {
    credits: toCredits(spent),
    inputTokens: rows.reduce((n, r) => n + r.inputTokens, 0),
    outputTokens: rows.reduce((n, r) => n + r.outputTokens, 0),
    modelSteps: rows.reduce((n, r) => n + r.modelSteps, 0),
  };
  if (range.groupBy !== "day") return { ...range, totals, rows };
  const byDay = new Map(rows.map((r) => [r.key, r]));
  const days = daysBetween(range.from, range.to).map(
    (day) => byDay.get(day) ?? { key: day, label: day, credits: 0, inputTokens: 0, outputTokens: 0, modelSteps: 0 },
  );
  return { ...range, totals, rows: days.map((d) => ({ ...d, label: d.key! })) };
}
