import { agentHub } from "../../agent/client.ts";
import { getDb } from "../../db/client.ts";
import { sandboxFor } from "../../sandbox/backend.ts";
import type { Env } from "../../env.ts";
import { callerAccount, requireVerifiedUser, type ActingAccount, type Caller } from "../auth/caller.ts";
import { NotFound } from "../errors.ts";
import type { Permission } from "../teams/permissions.ts";
import { getAgent, type AgentRow } from "./agents.ts";
import { THREAD_ID } from "./ids.ts";

export interface AgentAccess {
  caller: Caller;
  account: ActingAccount;
  agent: AgentRow;
}

/**
 * The agent a request names, if the caller (verified, by session or API key) may use it: it must belong to the
 * acting account (personal, or X-Account). Anyone else's agent answers 404; a member whose role lacks `permission`
 * (agents.use to read and work with it, agents.manage to rename or delete it) gets 403.
 */
export async function agentForRequest(
  request: Request,
  env: Env,
  agentId: string,
  permission: Permission = "agents.use",
): Promise<AgentAccess> {
  const caller = await requireVerifiedUser(request, env);
  const account = await callerAccount(request, env, caller, permission);
  const agent = await getAgent(getDb(env.DB), account.id, agentId);
  return { caller, account, agent };
}

/** A thread of an accessible agent; an unknown thread id answers 404. */
export async function threadForRequest(request: Request, env: Env, agentId: string, threadId: string) {
  const access = await agentForRequest(request, env, agentId);
  if (!THREAD_ID.test(threadId)) throw new NotFound("No such thread");
  const hub = await agentHub(env, access.agent.id);
  const thread = await hub.getThread(threadId);
  if (!thread) throw new NotFound("No such thread");
  return { ...access, hub, thread };
}

/** The sandbox workspace of an agent (created on first use), with the reference its costs are billed to. */
export async function openWorkspace(env: Env, agent: AgentRow) {
  const workspace = await sandboxFor(env).workspace(agent.id);
  return { workspace, meterRef: { accountId: agent.accountId, agentId: agent.id, threadId: "" } };
}

/** The workspace of an accessible agent; routes that take a body parse it between the two steps instead. */
export async function workspaceForRequest(request: Request, env: Env, agentId: string) {
  const access = await agentForRequest(request, env, agentId);
  return { ...access, ...(await openWorkspace(env, access.agent)) };
}
