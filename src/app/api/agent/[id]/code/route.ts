import { meterSandboxRun } from "@/agent/metering.ts";
import { agentForRequest, openWorkspace } from "@/lib/agents/access.ts";
import { CodeBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestClock } from "@/lib/http/clock.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** Runs a Python or JavaScript program in the agent's workspace, billed by its duration. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const { language, code } = await readJson(request, CodeBody);
  const { workspace, meterRef } = await openWorkspace(env, agent);
  const { result } = await meterSandboxRun(env.DB, meterRef, () => workspace.runCode(language, code), requestClock(request, env));
  return Response.json(result);
});
