import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";
import { connectorTools } from "@/lib/mcp/connector-tools.ts";
import { findConnector } from "@/lib/mcp/connectors.ts";
import { agentForRequest } from "@/operations/agent-access.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; connectorId: string }> };

/** The connector's tools as the model sees them (`<connector>__<tool>`), listed with the caller's own credential. */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { id, connectorId } = await params;
  const { agent, caller } = await agentForRequest(request, env, id);
  const db = getDb(env.DB);
  const connector = await findConnector(db, agent.id, connectorId);
  return Response.json(await connectorTools(env, db, agent, connector, caller.user.id));
});
