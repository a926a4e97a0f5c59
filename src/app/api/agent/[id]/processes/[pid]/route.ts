import { workspaceForRequest } from "@/operations/workspace.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; pid: string }> };

export const GET = handle(async (request, { params }: Params) => {
  const { id, pid } = await params;
  const { workspace } = await workspaceForRequest(request, getEnv(), id);
  return Response.json(await workspace.getProcess(pid));
});

/** Stops the process and everything it started. */
export const DELETE = handle(async (request, { params }: Params) => {
  const { id, pid } = await params;
  const { workspace } = await workspaceForRequest(request, getEnv(), id);
  return Response.json(await workspace.stopProcess(pid));
});
