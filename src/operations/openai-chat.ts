import type { UIMessage } from "ai";
import { getDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { ensureDefaultAgent, listAgents } from "../lib/agents/agents.ts";
import { type Caller, callerAccount, requireUser } from "../lib/auth/caller.ts";
import { Invalid, NotFound } from "../lib/errors.ts";
import {
  agentIdOfModel,
  agentModelName,
  type ChatCompletionRequest,
  type ChatMessage,
  contentText,
  splitConversation,
} from "../lib/openai/schemas.ts";
import { sendAgentMessage, sentMessageOutcome } from "./agent-messages.ts";
import { chatCompletion, type CompletionIds, completionEventStream } from "./openai-completions.ts";

/**
 * The acting account's agents for an API client, like GET /api/agent lists them (a verified user's personal account
 * gets its default agent first).
 */
export async function callerAgents(request: Request, env: Env, caller: Caller) {
  const account = await callerAccount(request, env, caller, "agents.use");
  const db = getDb(env.DB);
  if (account.kind === "personal" && caller.user.emailVerified) await ensureDefaultAgent(db, account.id, caller.user.id);
  return { account, agents: await listAgents(db, account.id) };
}

/** The acting account's agents as OpenAI models (`agent/<agentId>`), like GET /api/agent lists them. */
export async function listAgentModels(request: Request, env: Env) {
  const { account, agents } = await callerAgents(request, env, await requireUser(request, env));
  return {
    object: "list" as const,
    data: agents.map((agent) => ({
      id: agentModelName(agent.id),
      object: "model" as const,
      created: Math.floor(agent.createdAt.getTime() / 1000),
      owned_by: account.id,
      name: agent.name,
    })),
  };
}

/**
 * Earlier messages of an OpenAI conversation as the UI messages a new thread starts from (tool results left out).
 * The agent's own system prompt stays the only system message: a client's system and developer messages become a
 * user message that says what they are.
 */
function contextMessages(earlier: ChatMessage[]): UIMessage[] {
  return earlier.flatMap((message): UIMessage[] => {
    const text = contentText(message.content);
    if (!text.trim() || message.role === "tool") return [];
    const instructions = message.role === "system" || message.role === "developer";
    const part = { type: "text" as const, text: instructions ? `Instructions for this conversation:\n\n${text}` : text };
    return [{ id: crypto.randomUUID(), role: message.role === "assistant" ? "assistant" : "user", parts: [part] }];
  });
}

/**
 * Runs one chat completion as a turn of an agent, through the same turn path as the REST and WebSocket clients
 * (src/operations/turns.ts): the model names the agent, the caller must be allowed to use it (another account's
 * agent answers 404), and the turn runs in a new thread unless `thread` (or the X-Thread-Id header) names one.
 * Answers the OpenAI completion, streamed as chunks or whole.
 */
export async function runChatCompletion(request: Request, env: Env, body: ChatCompletionRequest, now: Date): Promise<Response> {
  const caller = await requireUser(request, env);
  const agentId = agentIdOfModel(body.model);
  if (!agentId) throw new NotFound(`The model '${body.model}' does not exist: use one of GET /v1/models (agent/<agentId>)`);
  const conversation = splitConversation(body.messages);
  if (!conversation) throw new Invalid("messages: the last message must be the user's");
  const sent = await sendAgentMessage(env, caller, agentId, conversation.input, now, {
    threadId: body.thread ?? request.headers.get("x-thread-id"),
    context: contextMessages(conversation.earlier),
  });
  const { threadId, turn } = sent;
  const ids: CompletionIds = { id: `chatcmpl-${crypto.randomUUID()}`, model: body.model, created: Math.floor(now.getTime() / 1000) };
  const headers = { "x-thread-id": threadId, "cache-control": "no-store" };

  if (body.stream) {
    const stream = completionEventStream(turn.chunks, turn.ended, ids, {
      includeUsage: body.stream_options?.include_usage === true,
      threadId,
      onCancel: () => turn.detach(),
    });
    return new Response(stream, { headers: { ...headers, "content-type": "text/event-stream; charset=utf-8", "x-accel-buffering": "no" } });
  }
  return Response.json(chatCompletion(ids, threadId, await sentMessageOutcome(env, sent)), { headers });
}
