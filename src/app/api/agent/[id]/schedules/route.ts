import { agentHub } from "@/operations/agent-access.ts";
import { ScheduleInput } from "@/agent/schedules.ts";
import { agentForRequest } from "@/operations/agent-access.ts";
import { taskCreditBudget } from "@/lib/agents/credit-limits.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** The agent's schedules with their next run time. */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  return Response.json({ schedules: await (await agentHub(env, agent.id)).listTaskSchedules() });
});

/** Schedules a task at a time (`at`) or on a cron expression in a time zone (`cron`, `timezone`). */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const input = await readJson(request, ScheduleInput);
  const creditBudget = taskCreditBudget(agent, input.creditBudget);
  const schedule = await (await agentHub(env, agent.id)).createTaskSchedule(
    { ...input, creditBudget },
    requestTime(request, env).getTime(),
  );
  return Response.json(schedule, { status: 201 });
});
