import { agentHub, chatThread } from "../agent/client.ts";
import { getDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { findAgentById, type AgentRow } from "../lib/agents/agents.ts";
import { parseThreadObjectName, THREAD_ID } from "../lib/agents/ids.ts";
import { EmailNotVerified, membershipOf, requireUser, type ActingAccount, type Caller } from "../lib/auth/caller.ts";
import { NotFound } from "../lib/errors.ts";
import type { Permission } from "../lib/teams/permissions.ts";

export { agentHub, chatThread };

export interface AgentAccess {
  caller: Caller;
  /** The agent's own billing account, with the caller's role and permissions in it. */
  account: ActingAccount;
  agent: AgentRow;
}

/**
 * The one rule for reaching an agent, over REST and the /ws/ routes alike: the caller's email must be verified
 * (403 email_not_verified), the agent must exist and its own account (not X-Account or the switcher: the agent says
 * whose it is) must be one the caller belongs to (404 otherwise, as if it did not exist), and the caller's role there
 * must hold `permission` (403 forbidden): agents.use to read and work with it, agents.manage to change or delete it.
 */
export async function authorizeAgent(
  env: Env,
  caller: Caller,
  agentId: string,
  permission: Permission = "agents.use",
): Promise<AgentAccess> {
  if (!caller.user.emailVerified) throw new EmailNotVerified();
  const agent = await findAgentById(getDb(env.DB), agentId);
  if (!agent) throw new NotFound("No such agent");
  const account = await membershipOf(env, caller, agent.accountId, permission).catch((error: unknown) => {
    throw error instanceof NotFound ? new NotFound("No such agent") : error;
  });
  return { caller, account, agent };
}

/** The agent a `/ws/` route names: `/ws/agent/<agentId>` or `/ws/thread/<agentId>-<threadId>`. */
export function agentIdOfRoute(route: { className: string; name: string }): string | undefined {
  if (route.className === "Agent") return route.name;
  if (route.className === "Thread") return parseThreadObjectName(route.name)?.agentId;
  return undefined;
}

/** The agent a REST request names, if its caller may use it (authorizeAgent). */
export async function agentForRequest(
  request: Request,
  env: Env,
  agentId: string,
  permission: Permission = "agents.use",
): Promise<AgentAccess> {
  return authorizeAgent(env, await requireUser(request, env), agentId, permission);
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
