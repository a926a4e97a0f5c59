import type { UIMessage } from "ai";
import { chatThread } from "../agent/client.ts";
import { CREDENTIAL_HEADER } from "../agent/connection-auth.ts";
import { STEP_MAX_OUTPUT_TOKENS } from "../agent/model.ts";
import { pendingApprovals } from "../agent/approvals.ts";
import { ChatMessageType, type TurnMetadata, type TurnSummary } from "../agent/wire.ts";
import { getDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { estimateTokens, PROMPT_OVERHEAD_TOKENS } from "../lib/agents/prompt-size.ts";
import { credentialOf } from "../lib/auth/live-credential.ts";
import { getEnabledModel } from "../lib/billing/catalog.ts";
import { getBalance, insufficientCredits } from "../lib/billing/ledger.ts";
import { stepMaxCost } from "../lib/billing/pricing.ts";
import { Conflict, Invalid, NotFound } from "../lib/errors.ts";
import type { AgentAccess } from "./agent-access.ts";
import type { AttachmentPart } from "../lib/agents/attachments.ts";

/** A turn started for an HTTP client: the UI message chunks of its answer as they stream, and how it ended. */
export interface StartedTurn {
  /** The user message the turn answers (its id finds the answer in the stored history). */
  userMessageId: string;
  /** Each chunk as the JSON text the WebSocket carries; closes when the turn ends. */
  chunks: ReadableStream<string>;
  /** Resolves when the turn has ended, with its error text if it failed. */
  ended: Promise<{ error?: string }>;
  /** Stops listening (the client went away); the turn itself goes on in the thread's Durable Object. */
  detach(): void;
}

/** Refuses (402) a turn whose first step the account cannot pay for, before anything is sent to the model. */
async function assertAffordable(env: Env, access: AgentAccess, history: Promise<UIMessage[]>, text: string, now: Date): Promise<void> {
  // Three independent reads, waited for together.
  const [model, balance, messages] = await Promise.all([
    getEnabledModel(getDb(env.DB), access.agent.modelId),
    getBalance(env.DB, access.agent.accountId, now),
    history,
  ]);
  const needed = stepMaxCost(model, estimateTokens([messages, text]) + PROMPT_OVERHEAD_TOKENS, STEP_MAX_OUTPUT_TOKENS);
  if (balance.availableMillicredits < needed) throw insufficientCredits(balance, needed);
}

/** The turn's WebSocket to the thread, opened with the caller's credential like any client's. */
async function openTurnSocket(thread: Awaited<ReturnType<typeof chatThread>>, access: AgentAccess): Promise<WebSocket> {
  const headers = new Headers({ upgrade: "websocket" });
  const credential = credentialOf(access.caller);
  if (credential) headers.set(CREDENTIAL_HEADER, credential);
  const response = await thread.fetch(new Request("https://thread.internal/turn", { headers }));
  const socket = response.webSocket;
  if (!socket) throw new Error(`the thread refused the turn's connection (${response.status})`);
  socket.accept();
  return socket;
}

/**
 * Starts a turn on a thread for a REST client the same way a browser does: it opens a WebSocket to the thread's
 * Durable Object with the caller's credential (checked again on every message, like any client's) and sends the
 * SDK's chat request with the history and the new message. So WebSocket and REST turns run the very same code, and
 * the turn belongs to the Durable Object: it finishes even if this client goes away.
 */
export async function startTurn(
  env: Env,
  access: AgentAccess,
  threadId: string,
  text: string,
  now: Date,
  /** Earlier messages a client brings along (the OpenAI-compatible API): they become an empty thread's history. */
  context: UIMessage[] = [],
  /** The message's attachments (file parts naming uploads/... in the workspace). */
  files: AttachmentPart[] = [],
): Promise<StartedTurn> {
  const thread = await chatThread(env, access.agent.id, threadId);
  const history: Promise<UIMessage[]> = (async () => {
    const stored: UIMessage[] = await thread.getMessages();
    return stored.length > 0 ? stored : context;
  })();
  const socket = await openAffordableTurn(env, access, thread, history, text, now);
  const userMessage: UIMessage = { id: crypto.randomUUID(), role: "user", parts: [...files, { type: "text", text }] };
  return sendTurn(socket, [...(await history), userMessage], "submit-message", userMessage.id);
}

/** A new version of a conversation: a sent message edited (a new message in its place), or an answer regenerated. */
export type BranchTurn = { kind: "edit"; messageId: string; text: string } | { kind: "regenerate"; messageId: string };

/**
 * Starts a turn that opens a branch (src/agent/thread-branches.ts): what followed the message is kept as an earlier
 * version, then the edited message is sent in its place, or the same user message is answered again. Refused with
 * nothing changed when the message is not in this thread (404) or a turn is running (409).
 */
export async function startBranchTurn(
  env: Env,
  access: AgentAccess,
  threadId: string,
  branch: BranchTurn,
  now: Date,
): Promise<StartedTurn> {
  const thread = await chatThread(env, access.agent.id, threadId);
  const history = thread.getMessages() as Promise<UIMessage[]>;
  const socket = await openAffordableTurn(env, access, thread, history, branch.kind === "edit" ? branch.text : "", now);
  let opened: Awaited<ReturnType<typeof thread.openBranch>>;
  try {
    opened = await thread.openBranch({ kind: branch.kind, messageId: branch.messageId });
  } catch (error) {
    socket.close(1000, "turn refused");
    throw error;
  }
  if (opened.refused !== null) {
    socket.close(1000, "turn refused");
    throw branchRefusal(opened.refused);
  }
  // The RPC's type loses the union's narrowing: a turn that was not refused always carries its history.
  const prefix = (opened.messages ?? []) as UIMessage[];
  if (branch.kind === "regenerate") return sendTurn(socket, prefix, "regenerate-message", prefix.at(-1)!.id);
  const edited: UIMessage = { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text: branch.text }] };
  return sendTurn(socket, [...prefix, edited], "submit-message", edited.id);
}

/** The typed error for a branch the thread refused to open or switch to. */
export function branchRefusal(reason: "not_found" | "running" | "not_user_message"): Error {
  if (reason === "running") return new Conflict("A turn is running in this thread; stop it or wait until it ends");
  if (reason === "not_user_message") return new Invalid("Only your own messages can be edited; regenerate an answer instead");
  return new NotFound("No such message in this thread");
}

/** Refuses (402) a turn the account cannot pay for; otherwise the open socket to send it on. */
async function openAffordableTurn(
  env: Env,
  access: AgentAccess,
  thread: Awaited<ReturnType<typeof chatThread>>,
  history: Promise<UIMessage[]>,
  text: string,
  now: Date,
): Promise<WebSocket> {
  // The socket opens while the history and the balance are read; nothing is sent on it unless the turn is affordable.
  const opening = openTurnSocket(thread, access);
  opening.catch(() => {});
  try {
    await assertAffordable(env, access, history, text, now);
    return await opening;
  } catch (error) {
    opening.then((opened) => opened.close(1000, "turn refused")).catch(() => {});
    history.catch(() => {});
    throw error;
  }
}

/** Sends the SDK's chat request on the turn's socket and follows its answer. */
function sendTurn(
  socket: WebSocket,
  messages: UIMessage[],
  trigger: "submit-message" | "regenerate-message",
  userMessageId: string,
): StartedTurn {
  const requestId = crypto.randomUUID();
  let finish!: (outcome: { error?: string }) => void;
  const ended = new Promise<{ error?: string }>((resolve) => (finish = resolve));
  let controller!: ReadableStreamDefaultController<string>;
  let open = true;
  const close = (outcome: { error?: string }) => {
    if (!open) return;
    open = false;
    controller.close();
    finish(outcome);
    try {
      socket.close(1000, "turn ended");
    } catch {
      // Already closed.
    }
  };
  const chunks = new ReadableStream<string>({
    start: (c) => {
      controller = c;
    },
    cancel: () => close({}),
  });

  socket.addEventListener("message", (event) => {
    if (typeof event.data !== "string") return;
    let frame: { type?: string; id?: string; body?: string; done?: boolean; error?: boolean };
    try {
      frame = JSON.parse(event.data);
    } catch {
      return;
    }
    if (frame.type !== ChatMessageType.CF_AGENT_USE_CHAT_RESPONSE || frame.id !== requestId) return;
    if (frame.error) return close({ error: frame.body || "The turn failed" });
    if (frame.body?.trim() && open) controller.enqueue(frame.body);
    if (frame.done) close({});
  });
  socket.addEventListener("close", () => close({ error: open ? "The connection to the agent closed before the turn ended" : undefined }));
  socket.send(
    JSON.stringify({
      type: ChatMessageType.CF_AGENT_USE_CHAT_REQUEST,
      id: requestId,
      init: { method: "POST", body: JSON.stringify({ messages, trigger }) },
    }),
  );
  return { userMessageId, chunks, ended, detach: () => close({}) };
}

/**
 * The HTTP answer of a started turn: `text/event-stream` of its chunks, or with `Accept: application/json` the JSON
 * summary once it has ended (read from the stored history).
 */
export async function turnResponse(request: Request, env: Env, agentId: string, threadId: string, turn: StartedTurn): Promise<Response> {
  if ((request.headers.get("accept") ?? "").includes("application/json")) {
    const { error } = await turn.ended;
    const messages: UIMessage[] = await (await chatThread(env, agentId, threadId)).getMessages();
    return Response.json(turnSummary(messages, turn.userMessageId, error));
  }
  return new Response(turnEventStream(turn), {
    headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", "x-accel-buffering": "no" },
  });
}

/** The server-sent events form of a turn: each chunk as a `data:` line, an error event if it failed, then `[DONE]`. */
export function turnEventStream(turn: StartedTurn): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const reader = turn.chunks.getReader();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await reader.read();
      if (!done) return controller.enqueue(encoder.encode(`data: ${value}\n\n`));
      const { error } = await turn.ended;
      if (error) controller.enqueue(encoder.encode(`data: ${JSON.stringify({ type: "error", errorText: error })}\n\n`));
      controller.enqueue(encoder.encode("data: [DONE]\n\n"));
      controller.close();
    },
    cancel: () => turn.detach(),
  });
}

/** The JSON form of a finished turn, read from the stored history: the answer, its tool calls, usage and credits. */
export function turnSummary(messages: UIMessage[], userMessageId: string, error?: string): TurnSummary {
  const index = messages.findIndex((m) => m.id === userMessageId);
  const answer = index >= 0 ? messages.slice(index + 1).find((m) => m.role === "assistant") : undefined;
  const metadata = (answer?.metadata ?? {}) as TurnMetadata;
  const text = (answer?.parts ?? [])
    .filter((p): p is { type: "text"; text: string } => p.type === "text")
    .map((p) => p.text)
    .join("");
  const toolCalls = (answer?.parts ?? [])
    // A call of a tool the turn did not offer (e.g. a connector its user has not connected) is a dynamic-tool part.
    .filter((p) => p.type.startsWith("tool-") || p.type === "dynamic-tool")
    .map((p) => {
      const part = p as {
        type: string;
        toolName?: string;
        toolCallId: string;
        input?: unknown;
        output?: unknown;
        errorText?: string;
        state: string;
      };
      return {
        id: part.toolCallId,
        name: part.type === "dynamic-tool" ? (part.toolName ?? "") : part.type.slice("tool-".length),
        input: part.input,
        output: part.output,
        error: part.errorText,
        state: part.state,
      };
    });
  const waiting = answer ? pendingApprovals([answer]) : [];
  return {
    messageId: answer?.id ?? null,
    text,
    toolCalls,
    usage: metadata.usage ?? { inputTokens: 0, outputTokens: 0 },
    credits: metadata.credits ?? 0,
    ...(error && { error }),
    ...(metadata.error && { error: text }),
    ...(waiting.length > 0 && { pendingApprovals: waiting }),
  };
}

/** The JSON form of the answer a decided tool call belongs to, as it stands after the decision (with its record). */
export function approvalSummary(
  messages: UIMessage[],
  answerId: string,
): TurnSummary & { approvals: NonNullable<TurnMetadata["approvals"]> } {
  const index = messages.findIndex((m) => m.id === answerId);
  const asked = messages.slice(0, Math.max(index, 0)).findLast((m) => m.role === "user");
  const summary = turnSummary(messages, asked?.id ?? "");
  const approvals = ((messages[index]?.metadata ?? {}) as TurnMetadata).approvals ?? [];
  return { ...summary, approvals };
}
