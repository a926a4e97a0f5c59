import { chatThread } from "@/operations/agent-access.ts";
import { threadForRequest } from "@/operations/agent-access.ts";
import { MessageBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { startTurn, turnResponse } from "@/operations/turns.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { threadAttachmentPart } from "@/lib/agents/attachments.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

/**
 * The thread's history: the active path (UI messages with their parts: text, reasoning, tool calls, metadata) and
 * its forks ("< 2/3 >"); `?branches=all` adds every version of those forks.
 */
export const GET = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const { agent } = await threadForRequest(request, env, id, tid);
  const versions = new URL(request.url).searchParams.get("branches") === "all";
  return Response.json(await (await chatThread(env, agent.id, tid)).history({ versions }));
});

/**
 * Runs a turn. Answers `text/event-stream` of the same chunks the WebSocket carries, or with
 * `Accept: application/json` one JSON object once the turn is done. The turn is started like a browser starts one
 * (src/operations/turns.ts), runs in the thread's Durable Object and finishes even if this connection closes.
 */
export const POST = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const access = await threadForRequest(request, env, id, tid);
  const { text, attachments = [] } = await readJson(request, MessageBody);
  const files = attachments.map((path) => threadAttachmentPart(access.agent.id, tid, path));
  const turn = await startTurn(env, access, tid, text, requestTime(request, env), [], files);
  return turnResponse(request, env, access.agent.id, tid, turn);
});
