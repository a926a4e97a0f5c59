import { threadForRequest } from "@/operations/agent-access.ts";
import { MessageBody, MessageId } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { assertIdle } from "@/operations/branches.ts";
import { startBranchTurn, turnResponse } from "@/operations/turns.ts";
import { handle, parseWith, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string; mid: string }> };

/** Edits a sent message: what followed it is kept as an earlier version and the new text is answered (as POST messages). */
export const POST = handle(async (request, { params }: Params) => {
  const { id, tid, mid } = await params;
  const env = getEnv();
  const access = await threadForRequest(request, env, id, tid);
  const messageId = parseWith(MessageId, mid);
  const { text } = await readJson(request, MessageBody);
  assertIdle(access.thread);
  const turn = await startBranchTurn(env, access, tid, { kind: "edit", messageId, text }, requestTime(request, env));
  return turnResponse(request, env, access.agent.id, tid, turn);
});
