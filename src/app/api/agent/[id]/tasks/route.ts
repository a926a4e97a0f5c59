import { agentHub } from "@/operations/agent-access.ts";
import { TaskInput } from "@/agent/tasks.ts";
import { agentForRequest } from "@/operations/agent-access.ts";
import { taskCreditBudget } from "@/lib/agents/credit-limits.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** The agent's tasks, newest first, with their progress and reports. */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  return Response.json({ tasks: await (await agentHub(env, agent.id)).listTasks() });
});

/** Starts a task (its credit budget defaults to, and may not exceed, the agent's task budget): it runs server-side in its own thread until it reports, hits a budget or is stopped. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const input = await readJson(request, TaskInput);
  // Without a budget the task gets the agent's; one above the agent's ceiling is refused before anything starts.
  const creditBudget = taskCreditBudget(agent, input.creditBudget);
  return Response.json(await (await agentHub(env, agent.id)).startTask({ ...input, creditBudget }), { status: 201 });
});
