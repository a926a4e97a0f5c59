import { getAgentByName } from "agents";
import type { Env } from "../env.ts";
import { threadObjectName } from "../lib/agents/ids.ts";
import type { AgentHub } from "./agent-hub.ts";
import type { ChatThread } from "./chat-thread.ts";

// env.ts leaves the agent namespaces untyped so the domain layer (src/lib) never depends on the agent classes.
/** The started parent Durable Object of one agent, for RPC from routes and jobs. */
export function agentHub(env: Pick<Env, "Agent">, agentId: string) {
  return getAgentByName(env.Agent as unknown as DurableObjectNamespace<AgentHub>, agentId);
}

/** The started Durable Object of one thread. */
export function chatThread(env: Pick<Env, "Thread">, agentId: string, threadId: string) {
  return getAgentByName(env.Thread as unknown as DurableObjectNamespace<ChatThread>, threadObjectName(agentId, threadId));
}
