import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";
import { findConnector, removeConnector } from "@/lib/mcp/connectors.ts";
import { recordIfTeam } from "@/lib/teams/audit.ts";
import { agentForRequest } from "@/operations/agent-access.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; connectorId: string }> };

/** Removes a connector (agents.manage) and every member's credential for it. */
export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { id, connectorId } = await params;
  const { agent, caller } = await agentForRequest(request, env, id, "agents.manage");
  const db = getDb(env.DB);
  const connector = await findConnector(db, agent.id, connectorId);
  await removeConnector(db, agent.id, connector.id);
  await recordIfTeam(db, agent.accountId, caller.user.id, "mcp_connector.removed", { agentId: agent.id, name: connector.name });
  return new Response(null, { status: 204 });
});
