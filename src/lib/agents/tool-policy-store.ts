import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account, agent } from "../../db/schema.ts";
import { NotFound } from "../errors.ts";
import { changedPolicy, compactPolicy, readPolicy, type ToolPolicy } from "./tool-policy.ts";

/** The floor a team set for its agents' tools; a personal account has none. */
export async function toolPolicyFloor(db: Db, accountId: string): Promise<ToolPolicy> {
  const row = await db.select({ floor: account.toolPolicyFloor }).from(account).where(eq(account.id, accountId)).get();
  return readPolicy(row?.floor);
}

/** Replaces a team's floor (the caller was checked for team.settings: owners and admins). */
export async function setToolPolicyFloor(db: Db, teamId: string, floor: ToolPolicy): Promise<ToolPolicy> {
  const next = compactPolicy(floor);
  await db
    .update(account)
    .set({ toolPolicyFloor: JSON.stringify(next) })
    .where(and(eq(account.id, teamId), eq(account.kind, "team")));
  return next;
}

/** An agent's own policy and its account's floor, as the agent's turn and the UI read them. */
export async function toolPolicies(db: Db, accountId: string, agentId: string): Promise<{ policy: ToolPolicy; floor: ToolPolicy }> {
  const row = await db
    .select({ policy: agent.toolPolicy, floor: account.toolPolicyFloor })
    .from(agent)
    .innerJoin(account, eq(account.id, agent.accountId))
    .where(and(eq(agent.id, agentId), eq(agent.accountId, accountId)))
    .get();
  if (!row) throw new NotFound("No such agent");
  return { policy: readPolicy(row.policy), floor: readPolicy(row.floor) };
}

/**
 * Applies `changes` to an agent's policy; 403 with nothing changed when that would go below the team's floor.
 * Returns the stored policy.
 */
export async function changeToolPolicy(db: Db, accountId: string, agentId: string, changes: ToolPolicy): Promise<ToolPolicy> {
  const { policy, floor } = await toolPolicies(db, accountId, agentId);
  const next = changedPolicy(policy, changes, floor);
  await db
    .update(agent)
    .set({ toolPolicy: JSON.stringify(next) })
    .where(and(eq(agent.id, agentId), eq(agent.accountId, accountId)));
  return next;
}
