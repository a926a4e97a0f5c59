import { routeAgentRequest } from "agents";
import type { Env } from "../env.ts";
import { authorizeAgentRequest } from "./agent-auth.ts";

export const AGENT_ROUTE_PREFIX = "ws";

type AgentNamespaces = Pick<Env, "Agent" | "Thread">;
const agentOnlyEnv = new WeakMap<Env, AgentNamespaces>();

// The SDK routes to any Durable Object namespace it finds in the env it is given, so it only ever sees ours.
function agentNamespaces(env: Env): AgentNamespaces {
  let namespaces = agentOnlyEnv.get(env);
  if (!namespaces) {
    namespaces = { Agent: env.Agent, Thread: env.Thread };
    agentOnlyEnv.set(env, namespaces);
  }
  return namespaces;
}

/** Routes `/ws/<class>/<id>[/sub/...]` (WebSocket and HTTP) to the agent classes, after the auth hook. */
export async function handleAgentRequest(request: Request, env: Env): Promise<Response | null> {
  const { pathname } = new URL(request.url);
  if (pathname !== `/${AGENT_ROUTE_PREFIX}` && !pathname.startsWith(`/${AGENT_ROUTE_PREFIX}/`)) return null;
  const authorize = (req: Request, route: { className: string; name: string }) => authorizeAgentRequest(req, env, route);
  const response = await routeAgentRequest(request, agentNamespaces(env), {
    prefix: AGENT_ROUTE_PREFIX,
    onBeforeConnect: authorize,
    onBeforeRequest: authorize,
  });
  return response ?? Response.json({ error: { code: "not_found", message: "No such agent route" } }, { status: 404 });
}
