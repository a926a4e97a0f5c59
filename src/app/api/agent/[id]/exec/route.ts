import { meterSandboxRun } from "@/agent/metering.ts";
import { agentForRequest, openWorkspace } from "@/lib/agents/access.ts";
import { ExecBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestClock } from "@/lib/http/clock.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** Runs a command in the agent's workspace: `{exitCode, stdout, stderr, durationMs}`, billed by its duration. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const { command, cwd, timeoutMs } = await readJson(request, ExecBody);
  const { workspace, meterRef } = await openWorkspace(env, agent);
  const { result } = await meterSandboxRun(env.DB, meterRef, () => workspace.exec(command, { cwd, timeoutMs }), requestClock(request, env));
  return Response.json(result);
});
