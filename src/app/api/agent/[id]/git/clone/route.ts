import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace } from "@/operations/workspace.ts";
import { CloneBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

export const POST = handle(async (request, { params }: Params) => {
  const { agent } = await agentForRequest(request, getEnv(), (await params).id);
  const body = await readJson(request, CloneBody);
  const { workspace } = await openWorkspace(request, getEnv(), agent);
  return Response.json(await workspace.gitClone({ ...body, depth: body.depth ?? 1 }));
});
