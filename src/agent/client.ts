import { getAgentByName } from "agents";
import type { Env } from "../env.ts";

/** The started Durable Object of one agent, for RPC from routes and jobs. */
export function agentHub(env: Pick<Env, "Agent">, agentId: string) {
  return getAgentByName(env.Agent, agentId);
}
