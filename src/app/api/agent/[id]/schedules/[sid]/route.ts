import { agentHub } from "@/operations/agent-access.ts";
import { ScheduleChanges } from "@/agent/schedules.ts";
import { agentForRequest } from "@/operations/agent-access.ts";
import { NotFound } from "@/lib/errors.ts";
import { taskCreditBudget } from "@/lib/agents/credit-limits.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; sid: string }> };

/** One schedule with its next run time and its recent runs (due time and the task each started). */
export const GET = handle(async (request, { params }: Params) => {
  const { id, sid } = await params;
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, id);
  const schedule = await (await agentHub(env, agent.id)).getTaskSchedule(sid);
  if (!schedule) throw new NotFound("No such schedule");
  return Response.json(schedule);
});

/** Pauses, resumes or edits a schedule; a new timing is counted from now. */
export const PATCH = handle(async (request, { params }: Params) => {
  const { id, sid } = await params;
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, id);
  const changes = await readJson(request, ScheduleChanges);
  if (changes.creditBudget !== undefined) taskCreditBudget(agent, changes.creditBudget);
  const schedule = await (await agentHub(env, agent.id)).updateTaskSchedule(sid, changes, requestTime(request, env).getTime());
  if (!schedule) throw new NotFound("No such schedule");
  return Response.json(schedule);
});

export const DELETE = handle(async (request, { params }: Params) => {
  const { id, sid } = await params;
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, id);
  if (!(await (await agentHub(env, agent.id)).deleteTaskSchedule(sid))) throw new NotFound("No such schedule");
  return new Response(null, { status: 204 });
});
