import { z } from "zod";
import { getDb } from "@/db/client.ts";
import { emailOrigin } from "@/lib/auth/config.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { createTrigger, listTriggers, triggerView } from "@/lib/triggers/triggers.ts";
import { AgentName } from "@/lib/agents/schemas.ts";
import { agentForRequest } from "@/operations/agent-access.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

const NewTrigger = z.object({ kind: z.enum(["webhook", "email"]), name: AgentName });

/** The agent's webhooks and email addresses (never a webhook's secret). */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  const origin = emailOrigin(request, env);
  return Response.json({ triggers: (await listTriggers(getDb(env.DB), agent.id)).map((row) => triggerView(env, origin, row)) });
});

/** Adds a webhook (its signing secret is in this response only) or an email address (agents.manage). */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent, caller } = await agentForRequest(request, env, (await params).id, "agents.manage");
  const { kind, name } = await readJson(request, NewTrigger);
  const { row, secret } = await createTrigger(env, getDb(env.DB), { agentId: agent.id, kind, name, createdByUserId: caller.user.id });
  return Response.json({ ...triggerView(env, emailOrigin(request, env), row), ...(secret && { secret }) }, { status: 201 });
});
