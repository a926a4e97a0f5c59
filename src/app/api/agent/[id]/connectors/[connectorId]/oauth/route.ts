import { getDb } from "@/db/client.ts";
import { requestOrigin } from "@/lib/auth/config.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";
import { findConnector } from "@/lib/mcp/connectors.ts";
import { startOAuth } from "@/lib/mcp/oauth.ts";
import { agentForRequest } from "@/operations/agent-access.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; connectorId: string }> };

/** Starts the caller's OAuth sign-in to the connector's server: the answer's authorizationUrl is where the browser goes. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { id, connectorId } = await params;
  const { agent, caller } = await agentForRequest(request, env, id);
  const db = getDb(env.DB);
  const connector = await findConnector(db, agent.id, connectorId);
  const authorizationUrl = await startOAuth(env, db, connector, caller.user.id, requestOrigin(request, env));
  return Response.json({ authorizationUrl });
});
