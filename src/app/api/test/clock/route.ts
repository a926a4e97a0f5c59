import { z } from "zod";
import { agentHub } from "@/operations/agent-access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { assertTestEnvironment } from "@/lib/http/dev-only.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

const Body = z.object({ agentId: z.string().min(1), now: z.iso.datetime({ offset: true }).nullable() });

/**
 * Test hook: sets the simulated "now" of one agent's Durable Objects (schedules, task checkpoints, the turn meter's
 * reservations and charges), the same time the test sends to the routes as `X-Test-Now`; `null` returns to real time.
 */
export const POST = handle(async (request) => {
  const env = getEnv();
  assertTestEnvironment(env);
  const { agentId, now } = await readJson(request, Body);
  const at = now === null ? null : Date.parse(now);
  await (await agentHub(env, agentId)).setSimulatedTime(at);
  return Response.json({ agentId, now: at === null ? null : new Date(at).toISOString() });
});
