import { agentForRequest } from "@/operations/agent-access.ts";
import { agentUsage } from "@/lib/billing/usage.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  return Response.json(await agentUsage(env.DB, agent.accountId, agent.id, requestTime(request, env)));
});
