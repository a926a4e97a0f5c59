import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";
import { deliverWebhook } from "@/operations/triggers.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ triggerId: string }> };

/** A signed webhook delivery: starts one task of the agent with the raw body as its payload (202). */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { taskId } = await deliverWebhook(request, env, (await params).triggerId, requestTime(request, env));
  return Response.json({ accepted: true, taskId }, { status: 202 });
});
