import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace } from "@/operations/workspace.ts";
import { PathBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

export const POST = handle(async (request, { params }: Params) => {
  const { agent } = await agentForRequest(request, getEnv(), (await params).id);
  const { path } = await readJson(request, PathBody);
  const { workspace } = await openWorkspace(request, getEnv(), agent);
  await workspace.mkdir(path, { recursive: true });
  return Response.json({ path }, { status: 201 });
});
