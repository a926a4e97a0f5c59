import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace } from "@/operations/workspace.ts";
import { MoveBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

export const POST = handle(async (request, { params }: Params) => {
  const { agent } = await agentForRequest(request, getEnv(), (await params).id);
  const { from, to } = await readJson(request, MoveBody);
  const { workspace } = await openWorkspace(request, getEnv(), agent);
  await workspace.moveFile(from, to);
  return Response.json({ from, to });
});
