import { workspaceForRequest } from "@/operations/workspace.ts";
import { CheckpointId, CheckpointTarget } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; cid: string }> };

export const GET = handle(async (request, { params }: Params) => {
  const { id, cid } = await params;
  const from = parseWith(CheckpointId, cid);
  const to = parseWith(CheckpointTarget, new URL(request.url).searchParams.get("to") ?? undefined);
  const { workspace } = await workspaceForRequest(request, getEnv(), id);
  return Response.json(await workspace.diffCheckpoint(from, to));
});
