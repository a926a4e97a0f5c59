import { getAgentByName } from "agents";
import type { Env } from "../env.ts";
import { threadObjectName } from "../lib/agents/ids.ts";

/** The started parent Durable Object of one agent, for RPC from routes and jobs. */
export function agentHub(env: Pick<Env, "Agent">, agentId: string) {
  return getAgentByName(env.Agent, agentId);
}

/** The started Durable Object of one thread. */
export function chatThread(env: Pick<Env, "Thread">, agentId: string, threadId: string) {
  return getAgentByName(env.Thread, threadObjectName(agentId, threadId));
}
