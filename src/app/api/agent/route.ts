import { getDb } from "@/db/client.ts";
import { callerAccount, requireUser, requireVerifiedUser } from "@/lib/auth/caller.ts";
import { createAgent, ensureDefaultAgent, listAgents } from "@/lib/agents/agents.ts";
import { NewAgentBody } from "@/lib/agents/schemas.ts";
import { agentJson } from "@/lib/agents/views.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

/** The acting account's agents; a verified user's personal account always has its default agent. */
export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  const account = await callerAccount(request, env, caller, "agents.use");
  const db = getDb(env.DB);
  if (account.kind === "personal" && caller.user.emailVerified) await ensureDefaultAgent(db, account.id, caller.user.id);
  return Response.json({ agents: (await listAgents(db, account.id)).map(agentJson) });
});

export const POST = handle(async (request) => {
  const env = getEnv();
  const caller = await requireVerifiedUser(request, env);
  const account = await callerAccount(request, env, caller, "agents.manage");
  const body = await readJson(request, NewAgentBody);
  const row = await createAgent(getDb(env.DB), account.id, { ...body, modelId: body.model }, caller.user.id);
  return Response.json(agentJson(row), { status: 201 });
});
