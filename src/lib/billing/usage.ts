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
