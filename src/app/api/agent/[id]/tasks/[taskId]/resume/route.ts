import { agentForRequest, agentHub } from "@/operations/agent-access.ts";
import { Conflict, NotFound } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; taskId: string }> };

/** Resumes a paused task (loop breaker; an approval pause resumes when the call is decided); answers the task, running again. A task that is not paused is a 409. */
export const POST = handle(async (request, { params }: Params) => {
  const { id, taskId } = await params;
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, id);
  const outcome = await (await agentHub(env, agent.id)).resumeTask(taskId);
  if (!outcome) throw new NotFound("No such task");
  if (!outcome.resumed && outcome.task.status === "paused")
    throw new Conflict("A tool call of this task waits for approval: allow or deny it in the task's thread, which resumes the task");
  if (!outcome.resumed) throw new Conflict(`This task is ${outcome.task.status}; only a paused task can be resumed`);
  return Response.json(outcome.task);
});
