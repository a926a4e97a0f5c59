import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { addConnector, addConnectorBody, listConnectors } from "@/lib/mcp/connectors.ts";
import { recordIfTeam } from "@/lib/teams/audit.ts";
import { agentForRequest } from "@/operations/agent-access.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** The agent's MCP connectors, each with the caller's own status (ready, connected, connect_to_use, not_allowed). */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent, caller } = await agentForRequest(request, env, (await params).id);
  return Response.json({ connectors: await listConnectors(getDb(env.DB), agent, caller.user.id) });
});

/** Adds an MCP server (agents.manage); a header token given here is the caller's own connection, never shown again. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent, caller } = await agentForRequest(request, env, (await params).id, "agents.manage");
  const body = await readJson(request, addConnectorBody(env));
  const db = getDb(env.DB);
  const connector = await addConnector(env, db, agent, caller.user.id, body);
  await recordIfTeam(db, agent.accountId, caller.user.id, "mcp_connector.added", {
    agentId: agent.id,
    name: connector.name,
    url: connector.url,
  });
  return Response.json({ connector }, { status: 201 });
});
