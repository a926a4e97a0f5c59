import { getDb } from "@/db/client.ts";
import { Invalid, NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { ConnectTokenBody, deleteCredential, findConnector, storeCredential } from "@/lib/mcp/connectors.ts";
import { agentForRequest } from "@/operations/agent-access.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; connectorId: string }> };

/** Connects the caller with their own token (auth: header); it is sealed, used only for their turns, never shown again. */
export const PUT = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { id, connectorId } = await params;
  const { agent, caller } = await agentForRequest(request, env, id);
  const { token } = await readJson(request, ConnectTokenBody);
  const db = getDb(env.DB);
  const connector = await findConnector(db, agent.id, connectorId);
  if (connector.auth !== "header")
    throw new Invalid(
      connector.auth === "oauth" ? "This connector signs in with OAuth: start it with POST .../oauth" : "This connector needs no token",
    );
  await storeCredential(env, db, connector.id, caller.user.id, { kind: "header", token });
  return Response.json({ connected: true });
});

/** Forgets the caller's own credential for the connector (other members' stay). */
export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { id, connectorId } = await params;
  const { agent, caller } = await agentForRequest(request, env, id);
  const db = getDb(env.DB);
  const connector = await findConnector(db, agent.id, connectorId);
  if (!(await deleteCredential(db, connector.id, caller.user.id))) throw new NotFound("You have not connected this connector");
  return new Response(null, { status: 204 });
});
