import { agentHub } from "../agent/client.ts";
import { getDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { workspaceGroup } from "../lib/agents/account-limits.ts";
import type { AgentRow } from "../lib/agents/agents.ts";
import { reserveBackgroundAhead } from "../lib/billing/background-compute.ts";
import { chargeSandboxRun } from "../lib/billing/sandbox-charge.ts";
import { requestClock } from "../lib/http/clock.ts";
import { sandboxFor } from "../sandbox/backend.ts";
import { meteredWorkspace } from "../sandbox/metered-workspace.ts";
import type { Workspace } from "../sandbox/types.ts";
import { agentForRequest } from "./agent-access.ts";

/**
 * The agent's sandbox workspace (created on first use) for a route: metered like the agent's own tools, so every
 * command it runs is billed to the agent's account at the request's time (src/sandbox/metered-workspace.ts).
 */
export async function openWorkspace(request: Request, env: Env, agent: AgentRow): Promise<{ workspace: Workspace }> {
  const clock = requestClock(request, env);
  const ref = { accountId: agent.accountId, agentId: agent.id, threadId: "" };
  const group = await workspaceGroup(getDb(env.DB), agent.accountId);
  const workspace = await sandboxFor(env).workspace(agent.id, { group });
  return {
    workspace: meteredWorkspace(workspace, async (run) => (await chargeSandboxRun(env.DB, ref, run, clock)).result, {
      beforeBackground: () => reserveBackgroundAhead(env, agent.id, agent.accountId, new Date(clock())),
    }),
  };
}

/** The metered workspace of an accessible agent; routes that take a body parse it between the two steps instead. */
export async function workspaceForRequest(request: Request, env: Env, agentId: string) {
  const access = await agentForRequest(request, env, agentId);
  return { ...access, ...(await openWorkspace(request, env, access.agent)) };
}

/** Tells every open window of the agent that its files changed (their Files, Processes and Preview tabs reload). */
export async function announceWorkspaceChange(env: Env, agentId: string): Promise<void> {
  try {
    await (await agentHub(env, agentId)).workspaceChanged();
  } catch (error) {
    console.error("workspace change not announced", error);
  }
}
