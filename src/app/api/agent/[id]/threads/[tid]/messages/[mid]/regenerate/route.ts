import { threadForRequest } from "@/operations/agent-access.ts";
import { MessageId } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { assertIdle } from "@/operations/branches.ts";
import { startBranchTurn, turnResponse } from "@/operations/turns.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string; mid: string }> };

/**
 * Answers the same user message again (`mid`: that message or its answer): the earlier answer is kept as a version.
 * Streams like POST messages, or JSON with `Accept: application/json`.
 */
export const POST = handle(async (request, { params }: Params) => {
  const { id, tid, mid } = await params;
  const env = getEnv();
  const access = await threadForRequest(request, env, id, tid);
  const messageId = parseWith(MessageId, mid);
  assertIdle(access.thread);
  const turn = await startBranchTurn(env, access, tid, { kind: "regenerate", messageId }, requestTime(request, env));
  return turnResponse(request, env, access.agent.id, tid, turn);
});
