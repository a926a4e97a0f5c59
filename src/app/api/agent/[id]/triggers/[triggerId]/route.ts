import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";
import { deleteTrigger } from "@/lib/triggers/triggers.ts";
import { agentForRequest } from "@/operations/agent-access.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; triggerId: string }> };

/** Revokes a webhook or email address at once (agents.manage): it starts nothing more. */
export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { id, triggerId } = await params;
  const { agent } = await agentForRequest(request, env, id, "agents.manage");
  await deleteTrigger(getDb(env.DB), agent.id, triggerId);
  return Response.json({ deleted: true });
});
