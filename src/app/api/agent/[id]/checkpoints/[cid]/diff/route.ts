import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace } from "@/operations/workspace.ts";
import { CheckpointId, CheckpointTarget } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; cid: string }> };

export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { id, cid } = await params;
  // Whose agent it is comes first: another account's agent is a 404 whatever the rest of the request says.
  const { agent } = await agentForRequest(request, env, id);
  const from = parseWith(CheckpointId, cid);
  const to = parseWith(CheckpointTarget, new URL(request.url).searchParams.get("to") ?? undefined);
  const { workspace } = await openWorkspace(request, env, agent);
  return Response.json(await workspace.diffCheckpoint(from, to));
});
