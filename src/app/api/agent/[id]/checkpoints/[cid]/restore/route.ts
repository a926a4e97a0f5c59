import { agentForRequest } from "@/operations/agent-access.ts";
import { announceWorkspaceChange, openWorkspace } from "@/operations/workspace.ts";
import { CheckpointId } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; cid: string }> };

/** The files as they were at the checkpoint; the answer's `undo` checkpoint holds them as they were just before. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { id, cid } = await params;
  // Whose agent it is comes first: another account's agent is a 404 whatever the rest of the request says.
  const { agent } = await agentForRequest(request, env, id);
  const checkpointId = parseWith(CheckpointId, cid);
  const { workspace } = await openWorkspace(request, env, agent);
  const result = await workspace.restoreCheckpoint(checkpointId);
  await announceWorkspaceChange(env, agent.id);
  return Response.json(result);
});
