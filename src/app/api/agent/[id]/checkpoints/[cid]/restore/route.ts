import { announceWorkspaceChange, workspaceForRequest } from "@/operations/workspace.ts";
import { CheckpointId } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; cid: string }> };

/** The files as they were at the checkpoint; the answer's `undo` checkpoint holds them as they were just before. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { id, cid } = await params;
  const checkpointId = parseWith(CheckpointId, cid);
  const { workspace, agent } = await workspaceForRequest(request, env, id);
  const result = await workspace.restoreCheckpoint(checkpointId);
  await announceWorkspaceChange(env, agent.id);
  return Response.json(result);
});
