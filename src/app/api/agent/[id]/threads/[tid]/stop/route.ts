import { chatThread } from "@/operations/agent-access.ts";
import { threadForRequest } from "@/operations/agent-access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

/** Stops the running turn: the model request is aborted and the tool calls it started are cancelled. */
export const POST = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const { agent } = await threadForRequest(request, env, id, tid);
  await (await chatThread(env, agent.id, tid)).stop();
  return Response.json({ stopped: true });
});
