import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace } from "@/operations/workspace.ts";
import { ExecBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** Runs a command in the agent's workspace: `{exitCode, stdout, stderr, durationMs}`, billed by its duration. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const { command, cwd, timeoutMs } = await readJson(request, ExecBody);
  const { workspace } = await openWorkspace(request, env, agent);
  const result = await workspace.exec(command, { cwd, timeoutMs });
  return Response.json(result);
});
