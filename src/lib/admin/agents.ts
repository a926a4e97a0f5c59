import { desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account, agent, user } from "../../db/schema.ts";
import { toCredits } from "../billing/rules.ts";

const ACTIVE_WINDOW_MS = 10 * 60_000;

export interface PlatformAgent {
  id: string;
  name: string;
  modelId: string;
  accountId: string;
  accountKind: string;
  /** The personal account's user's email, or the team's name. */
  owner: string;
  ownerUserId: string | null;
  createdAt: string;
  lastActiveAt: string | null;
  /** "active" when the agent ran a turn or task step in the last 10 minutes, else "idle". */
  status: "active" | "idle";
  creditsUsed: number;
  tokens: number;
  modelSteps: number;
}

/** Every agent on the platform, most recently active first, with its owner and what it has used. */
export async function listPlatformAgents(
  db: Db,
  query: { q?: string; page: number; pageSize: number },
): Promise<{ agents: PlatformAgent[]; total: number }> {
  const q = query.q?.trim().toLowerCase();
  const pattern = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const where = pattern
    ? sql`(lower(${agent.name}) like ${pattern} escape '\\' or lower(${account.name}) like ${pattern} escape '\\' or lower(coalesce(${user.email}, '')) like ${pattern} escape '\\' or ${agent.id} = ${q})`
    : undefined;
  const usage = sql<number>`(select coalesce(-sum(amount_millicredits), 0) from ledger_entry where agent_id = ${agent.id} and kind = 'usage')`;
  const tokens = sql<number>`(select coalesce(sum(coalesce(input_tokens, 0) + coalesce(output_tokens, 0)), 0) from ledger_entry where agent_id = ${agent.id} and kind = 'usage')`;
  const steps = sql<number>`(select count(input_tokens) from ledger_entry where agent_id = ${agent.id} and kind = 'usage')`;
  const [rows, [count]] = await Promise.all([
    db
      .select({
        agent,
        accountKind: account.kind,
        accountName: account.name,
        ownerEmail: user.email,
        ownerUserId: user.id,
        usage,
        tokens,
        steps,
      })
      .from(agent)
      .innerJoin(account, eq(account.id, agent.accountId))
      .leftJoin(user, eq(user.id, account.personalUserId))
      .where(where)
      .orderBy(desc(sql`coalesce(${agent.lastActiveAt}, ${agent.createdAt})`), desc(agent.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    db
      .select({ n: sql<number>`count(*)` })
      .from(agent)
      .innerJoin(account, eq(account.id, agent.accountId))
      .leftJoin(user, eq(user.id, account.personalUserId))
      .where(where),
  ]);
  return {
    total: Number(count?.n ?? 0),
    agents: rows.map((r) => ({
      id: r.agent.id,
      name: r.agent.name,
      modelId: r.agent.modelId,
      accountId: r.agent.accountId,
      accountKind: r.accountKind,
      owner: r.accountKind === "personal" ? (r.ownerEmail ?? "(deleted user)") : r.accountName,
      ownerUserId: r.accountKind === "personal" ? r.ownerUserId : null,
      createdAt: r.agent.createdAt.toISOString(),
      lastActiveAt: r.agent.lastActiveAt?.toISOString() ?? null,
      status: r.agent.lastActiveAt && Date.now() - r.agent.lastActiveAt.getTime() < ACTIVE_WINDOW_MS ? "active" : "idle",
      creditsUsed: toCredits(Number(r.usage)),
      tokens: Number(r.tokens),
      modelSteps: Number(r.steps),
    })),
  };
}
