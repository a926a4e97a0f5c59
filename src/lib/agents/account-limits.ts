import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account } from "../../db/schema.ts";
import { AppError, NotFound } from "../errors.ts";

/** Agents one account may have, unless an admin raised it. */
export const DEFAULT_MAX_AGENTS = 20;
/** Workspaces of one account that may run something (a command, a background process, a preview) at once. */
export const DEFAULT_MAX_LIVE_WORKSPACES = 5;
/** The most an admin may set either cap to. */
export const MAX_ACCOUNT_LIMIT = 10_000;

export type AccountLimits = {
  maxAgents: number;
  maxLiveWorkspaces: number;
  /** What an admin set; null where the default applies. */
  custom: { maxAgents: number | null; maxLiveWorkspaces: number | null };
};

/** A cap of an account is reached: 409 with a code per cap and the limit in the details. */
export class LimitReached extends AppError {
  constructor(code: "agent_limit_reached", message: string, details: { limit: number }) {
    super(code, 409, message, details);
  }
}

export function limitsOf(row: { maxAgents: number | null; maxLiveWorkspaces: number | null }): AccountLimits {
  return {
    maxAgents: row.maxAgents ?? DEFAULT_MAX_AGENTS,
    maxLiveWorkspaces: row.maxLiveWorkspaces ?? DEFAULT_MAX_LIVE_WORKSPACES,
    custom: { maxAgents: row.maxAgents, maxLiveWorkspaces: row.maxLiveWorkspaces },
  };
}

export async function accountLimits(db: Db, accountId: string): Promise<AccountLimits> {
  const row = await db
    .select({ maxAgents: account.maxAgents, maxLiveWorkspaces: account.maxLiveWorkspaces })
    .from(account)
    .where(eq(account.id, accountId))
    .get();
  if (!row) throw new NotFound("No such account");
  return limitsOf(row);
}

/** What the sandbox is told with every use of an agent's workspace: its account and that account's live cap. */
export async function workspaceGroup(db: Db, accountId: string): Promise<{ id: string; maxLive: number }> {
  return { id: accountId, maxLive: (await accountLimits(db, accountId)).maxLiveWorkspaces };
}

/** SQL true while the account has fewer agents than its cap (for a conditional insert). */
export function belowAgentCap(accountId: string) {
  return sql`(SELECT count(*) FROM agent WHERE account_id = ${accountId}) <
    (SELECT coalesce(max_agents, ${DEFAULT_MAX_AGENTS}) FROM account WHERE id = ${accountId})`;
}

export function agentLimitReached(limit: number): LimitReached {
  return new LimitReached(
    "agent_limit_reached",
    `This account has reached its limit of ${limit} agents. Delete an agent you no longer need, or ask an admin to raise the account's agent limit.`,
    { limit },
  );
}
