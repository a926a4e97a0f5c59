import { z } from "zod";
import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace, workspaceForRequest } from "@/operations/workspace.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

const OpenTerminal = z.strictObject({ cols: z.number().int().min(2).max(500), rows: z.number().int().min(1).max(300) });

/** The workspace's open terminal sessions. */
export const GET = handle(async (request, { params }: Params) => {
  const { workspace } = await workspaceForRequest(request, getEnv(), (await params).id);
  return Response.json({ terminals: await workspace.listTerminals() });
});

/** Starts a shell on a terminal of this size; attach to it with a WebSocket to /terminals/:tid. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const size = await readJson(request, OpenTerminal);
  const { workspace } = await openWorkspace(request, env, agent);
  return Response.json(await workspace.openTerminal(size), { status: 201 });
});
