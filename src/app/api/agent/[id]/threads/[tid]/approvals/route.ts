import { getDb } from "@/db/client.ts";
import { ApprovalBody } from "@/lib/agents/schemas.ts";
import { changeToolPolicy } from "@/lib/agents/tool-policy-store.ts";
import type { PolicyToolName } from "@/lib/agents/tool-policy.ts";
import { Conflict, Forbidden } from "@/lib/errors.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { chatThread, threadForRequest } from "@/operations/agent-access.ts";
import { approvalSummary } from "@/operations/turns.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

/** The thread's tool calls waiting for approval, with their exact arguments. */
export const GET = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const { agent } = await threadForRequest(request, env, id, tid);
  return Response.json({ pending: await (await chatThread(env, agent.id, tid)).pendingApprovals() });
});

/**
 * Allows or denies a waiting tool call (once: a call already decided is a 409). `always` also sets the agent's policy
 * for that tool to Allow (agents.manage, and not below the team's floor: 403 with nothing decided). The answer comes
 * once the turn went on: the call's result, or what the model made of the denial; a task's thread resumes its task.
 */
export const POST = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const { caller, account, agent } = await threadForRequest(request, env, id, tid);
  const { toolCallId, approved, always } = await readJson(request, ApprovalBody);
  const thread = await chatThread(env, agent.id, tid);
  const pending = (await thread.pendingApprovals()).find((p) => p.toolCallId === toolCallId);
  if (!pending) throw new Conflict("That tool call is not waiting for approval (it was decided already, or does not exist)");
  if (always && approved) {
    if (!account.permissions.includes("agents.manage"))
      throw new Forbidden("Changing the agent's tool policy needs the agents.manage permission");
    await changeToolPolicy(getDb(env.DB), agent.accountId, agent.id, { [pending.tool as PolicyToolName]: "allow" as const });
  }
  const by = { id: caller.user.id, name: caller.user.name };
  const decided = await thread.decideApproval({ toolCallId, approved, ...(always && approved && { always: true }), by });
  if (!decided) throw new Conflict("That tool call is not waiting for approval (it was decided already)");
  return Response.json(approvalSummary(await thread.getMessages(), pending.messageId));
});
