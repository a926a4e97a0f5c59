import { getDb } from "@/db/client.ts";
import { getEnabledModel } from "@/lib/billing/catalog.ts";
import { agentForRequest } from "@/operations/agent-access.ts";
import { getAgent, updateAgent } from "@/lib/agents/agents.ts";
import { changeToolPolicy, toolPolicyFloor } from "@/lib/agents/tool-policy-store.ts";
import { toMillicredits } from "@/lib/agents/credit-limits.ts";
import { UpdateAgentBody } from "@/lib/agents/schemas.ts";
import { agentJson } from "@/lib/agents/views.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { recordAudit } from "@/lib/teams/audit.ts";
import { deleteAgent } from "@/operations/agent-deletion.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent, account } = await agentForRequest(request, env, (await params).id);
  const floor = await toolPolicyFloor(getDb(env.DB), agent.accountId);
  // What the caller may do in the agent's account, so the UI offers only those actions (the server still checks).
  return Response.json({ ...agentJson(agent), toolPolicyFloor: floor, permissions: account.permissions });
});

export const PATCH = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { account, agent } = await agentForRequest(request, env, (await params).id, "agents.manage");
  const { toolPolicy, turnCreditCap, taskCreditBudget, model, ...body } = await readJson(request, UpdateAgentBody);
  const db = getDb(env.DB);
  // An unknown or disabled model is refused before anything is changed.
  if (model !== undefined) await getEnabledModel(db, model);
  // The policy goes first: below the team's floor it answers 403 before anything else is changed.
  if (toolPolicy) await changeToolPolicy(db, account.id, agent.id, toolPolicy);
  const row =
    Object.keys(body).length > 0 || model !== undefined || turnCreditCap !== undefined || taskCreditBudget !== undefined
      ? await updateAgent(db, account.id, agent.id, {
          ...body,
          modelId: model,
          ...(turnCreditCap !== undefined && { turnCapMillicredits: toMillicredits(turnCreditCap) }),
          ...(taskCreditBudget !== undefined && { taskBudgetMillicredits: toMillicredits(taskCreditBudget) }),
        })
      : await getAgent(db, account.id, agent.id);
  return Response.json({ ...agentJson(row), toolPolicyFloor: await toolPolicyFloor(db, agent.accountId) });
});

/** Deletes the agent with its threads, memory and workspace. Safe to repeat if it stops half-way. */
export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { caller, account, agent } = await agentForRequest(request, env, (await params).id, "agents.manage");
  await deleteAgent(env, agent, "strict");
  if (account.kind === "team")
    await recordAudit(getDb(env.DB), account.id, caller.user.id, "agent.deleted", { agentId: agent.id, name: agent.name });
  return new Response(null, { status: 204 });
});
