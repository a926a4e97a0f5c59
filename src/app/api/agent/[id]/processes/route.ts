import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace, workspaceForRequest } from "@/operations/workspace.ts";
import { StartProcessBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

export const GET = handle(async (request, { params }: Params) => {
  const { workspace } = await workspaceForRequest(request, getEnv(), (await params).id);
  return Response.json({ processes: await workspace.listProcesses() });
});

/** Starts a background process; it outlives this request. */
export const POST = handle(async (request, { params }: Params) => {
  const { agent } = await agentForRequest(request, getEnv(), (await params).id);
  const { command, cwd } = await readJson(request, StartProcessBody);
  const { workspace } = await openWorkspace(request, getEnv(), agent);
  return Response.json(await workspace.startProcess(command, { cwd }), { status: 201 });
});
