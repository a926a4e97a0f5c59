import { z } from "zod";
import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace, workspaceForRequest } from "@/operations/workspace.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { exposeWorkspacePort, listPortPreviews, previewSite } from "@/lib/previews/ports.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

const ExposeInput = z.object({ port: z.number().int().min(1).max(65535) });

/** The workspace's exposed ports with their preview URLs. */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { workspace } = await workspaceForRequest(request, env, (await params).id);
  return Response.json({ ports: await listPortPreviews(workspace, previewSite(request, env)) });
});

/** Exposes a port (again: same URL) and answers its preview URL. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const { port } = await readJson(request, ExposeInput);
  const { workspace } = await openWorkspace(request, env, agent);
  return Response.json(await exposeWorkspacePort(workspace, port, previewSite(request, env)), { status: 201 });
});
