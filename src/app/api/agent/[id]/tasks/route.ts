import { agentHub } from "@/operations/agent-access.ts";
import { TaskInput } from "@/agent/tasks.ts";
import { agentForRequest } from "@/operations/agent-access.ts";
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

/** Starts a task: it runs server-side in its own thread until it reports, hits a budget or is stopped. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const input = await readJson(request, TaskInput);
  return Response.json(await (await agentHub(env, agent.id)).startTask(input), { status: 201 });
});
