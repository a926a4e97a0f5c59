import { agentHub } from "@/operations/agent-access.ts";
import { agentForRequest } from "@/operations/agent-access.ts";
import { NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; taskId: string }> };

export const GET = handle(async (request, { params }: Params) => {
  const { id, taskId } = await params;
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, id);
  const task = await (await agentHub(env, agent.id)).getTask(taskId);
  if (!task) throw new NotFound("No such task");
  return Response.json(task);
});

/** Stops a running task (its current step is aborted); answers the task as it ended. */
export const DELETE = handle(async (request, { params }: Params) => {
  const { id, taskId } = await params;
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, id);
  const task = await (await agentHub(env, agent.id)).stopTask(taskId);
  if (!task) throw new NotFound("No such task");
  return Response.json(task);
});
