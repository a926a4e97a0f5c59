import { eq } from "drizzle-orm";
import { agentHub, chatThread } from "../../agent/client.ts";
import { getDb } from "../../db/client.ts";
import { account } from "../../db/schema.ts";
import type { Env } from "../../env.ts";
import { sandboxFor } from "../../sandbox/backend.ts";
import { deleteAgentRow, listAgents } from "../agents/agents.ts";

/**
 * Runs before a user row is deleted: destroys every agent of their personal account (its memory, threads and
 * workspace, then its row) and anonymises the account. The account row itself stays, so ledger rows that point at
 * it remain, without a name or owner (`personal_user_id` becomes null when the user row goes). Team accounts the
 * user belonged to lose only the membership, by the foreign key.
 */
export async function prepareUserDeletion(env: Env, userId: string): Promise<void> {
  const db = getDb(env.DB);
  const [personal] = await db.select({ id: account.id }).from(account).where(eq(account.personalUserId, userId)).limit(1);
  if (!personal) return;
  for (const agent of await listAgents(db, personal.id)) {
    await destroyAgentState(env, agent.id);
    await deleteAgentRow(db, personal.id, agent.id);
  }
  await db.update(account).set({ name: "Deleted user", deletedAt: new Date() }).where(eq(account.id, personal.id));
}

// Same steps as DELETE /api/agent/:id. A sandbox or Durable Object that cannot be reached must not keep a person
// from deleting their account: the row goes regardless, and what is left behind is unreachable without it.
export async function destroyAgentState(env: Env, agentId: string): Promise<void> {
  try {
    const threadIds = await (await agentHub(env, agentId)).destroyAll();
    await Promise.all(threadIds.map(async (threadId) => (await chatThread(env, agentId, threadId)).erase()));
  } catch (error) {
    console.error(`Deleting account: agent ${agentId} state was not erased`, error);
  }
  try {
    await sandboxFor(env).destroy(agentId);
  } catch (error) {
    console.error(`Deleting account: workspace of agent ${agentId} was not destroyed`, error);
  }
}
