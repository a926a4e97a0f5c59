import { chatThread } from "@/operations/agent-access.ts";
import { threadForRequest } from "@/operations/agent-access.ts";
import { MessageBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

/** The thread's full history (UI messages with their parts: text, reasoning, tool calls, metadata). */
export const GET = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const { agent } = await threadForRequest(request, env, id, tid);
  return Response.json({ messages: await (await chatThread(env, agent.id, tid)).getMessages() });
});

/**
 * Runs a turn. Answers `text/event-stream` of the same chunks the WebSocket carries, or with
 * `Accept: application/json` one JSON object once the turn is done. The turn runs in the thread's Durable Object
 * and finishes even if this connection closes.
 */
export const POST = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const { agent } = await threadForRequest(request, env, id, tid);
  const { text } = await readJson(request, MessageBody);
  const stream = !(request.headers.get("accept") ?? "").includes("application/json");
  const thread = await chatThread(env, agent.id, tid);
  return thread.fetch(new Request("https://thread/turn", { method: "POST", body: JSON.stringify({ text, stream }) }));
});
