import { workspaceForRequest } from "@/operations/workspace.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** TCP ports something listens on in the workspace now, to offer for preview; a stopped workspace lists none. */
export const GET = handle(async (request, { params }: Params) => {
  const { workspace } = await workspaceForRequest(request, getEnv(), (await params).id);
  return Response.json({ ports: await workspace.listeningPorts() });
});
