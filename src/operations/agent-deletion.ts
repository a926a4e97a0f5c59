import { agentHub, chatThread } from "../agent/client.ts";
import { getDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { deleteAgentRow, listAgents, type AgentRow } from "../lib/agents/agents.ts";
import { anonymisePersonalAccount, personalAccountOf } from "../lib/auth/account-deletion.ts";
import { assertNoTeamLeftWithoutOwner } from "../lib/teams/members.ts";
import { assertTeamDeletable, endTeam } from "../lib/teams/teams.ts";
import { sandboxFor } from "../sandbox/backend.ts";

/**
 * How a deletion treats a Durable Object or sandbox that cannot be reached: `strict` stops and throws, leaving the
 * row so the user can retry (deleting one agent); `best-effort` logs and goes on, so an unreachable piece never keeps
 * a person from deleting their account or team (what is left behind is unreachable without the row).
 */
export type DeletionPolicy = "strict" | "best-effort";

/** Deletes an agent: its memory, tasks and threads, its workspace, then its row. Safe to repeat if it stops half-way. */
export async function deleteAgent(env: Env, agent: Pick<AgentRow, "id" | "accountId">, policy: DeletionPolicy): Promise<void> {
  const step = async (what: string, run: () => Promise<unknown>) => {
    try {
      await run();
    } catch (error) {
      if (policy === "strict") throw error;
      console.error(`Deleting agent ${agent.id}: ${what} failed`, error);
    }
  };
  await step("erasing its memory and threads", async () => {
    const threadIds = await (await agentHub(env, agent.id)).destroyAll();
    await Promise.all(threadIds.map(async (threadId) => (await chatThread(env, agent.id, threadId)).erase()));
  });
  await step("destroying its workspace", () => sandboxFor(env).destroy(agent.id));
  await deleteAgentRow(getDb(env.DB), agent.accountId, agent.id);
}

/**
 * Runs before a user row is deleted: refuses (409) while the user is the last owner of a team; then every agent of
 * their personal account goes (best effort) and the account is anonymised. Team accounts the user belonged to lose
 * only the membership, by the foreign key.
 */
export async function deleteUserAgents(env: Env, userId: string): Promise<void> {
  const db = getDb(env.DB);
  await assertNoTeamLeftWithoutOwner(db, userId);
  const personal = await personalAccountOf(db, userId);
  if (!personal) return;
  for (const agent of await listAgents(db, personal.id)) await deleteAgent(env, agent, "best-effort");
  await anonymisePersonalAccount(db, personal.id);
}

/** Deletes a team (`confirm` must repeat its slug): its agents (best effort), then memberships, invitations and roles. */
export async function deleteTeam(env: Env, accountId: string, confirm: string): Promise<void> {
  const db = getDb(env.DB);
  await assertTeamDeletable(db, accountId, confirm);
  for (const agent of await listAgents(db, accountId)) await deleteAgent(env, agent, "best-effort");
  await endTeam(db, accountId);
}
