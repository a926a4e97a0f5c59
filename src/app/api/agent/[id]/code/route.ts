import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace } from "@/operations/workspace.ts";
import { CodeBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** Runs a Python or JavaScript program in the agent's workspace, billed by its duration. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const { language, code } = await readJson(request, CodeBody);
  const { workspace } = await openWorkspace(request, env, agent);
  const result = await workspace.runCode(language, code);
  return Response.json(result);
});
