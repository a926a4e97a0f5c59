import type { TurnMetadata, TurnSummary } from "../agent/wire.ts";
import { openAiErrorBody } from "../lib/openai/errors.ts";

/** What identifies one completion in every chunk of it, and what it is about. */
export interface CompletionIds {
  id: string;
  model: string;
  /** Unix seconds. */
  created: number;
}

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function completionUsage(usage: TurnMetadata["usage"]): CompletionUsage {
  const prompt = usage?.inputTokens ?? 0;
  const completion = usage?.outputTokens ?? 0;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * The non-streaming answer (`object: "chat.completion"`) from a finished turn's summary. The agent's tool calls ran
 * on the server and are in the answer's text; `netm8` says which thread holds the turn and what it was charged.
 */
export function chatCompletion(ids: CompletionIds, threadId: string, summary: TurnSummary) {
  return {
    id: ids.id,
    object: "chat.completion" as const,
    created: ids.created,
    model: ids.model,
    choices: [
      { index: 0, message: { role: "assistant" as const, content: summary.text, refusal: null }, logprobs: null, finish_reason: "stop" },
    ],
    usage: completionUsage(summary.usage),
    netm8: { thread_id: threadId, credits: summary.credits, tool_calls: summary.toolCalls.map((call) => call.name) },
  };
}

function chunk(ids: CompletionIds, delta: Record<string, unknown>, finishReason: string | null) {
  return {
    id: ids.id,
    object: "chat.completion.chunk" as const,
    created: ids.created,
    model: ids.model,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
  };
}

interface UiChunk {
  type?: string;
  delta?: string;
  messageMetadata?: TurnMetadata;
  errorText?: string;
}

/**
 * A turn's UI message chunks (the JSON texts src/operations/turns.ts streams) as OpenAI `chat.completion.chunk`
 * server-sent events: the role first, each text delta as content, a `stop` chunk, with `include_usage` a last chunk
 * with no choices and the usage, then `[DONE]`. A turn that fails sends an OpenAI error event, which OpenAI's SDKs
 * raise as an APIError.
 */
export function completionEventStream(
  chunks: ReadableStream<string>,
  ended: Promise<{ error?: string }>,
  ids: CompletionIds,
  options: { includeUsage: boolean; threadId: string; onCancel: () => void },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const reader = chunks.getReader();
  const event = (data: unknown) => encoder.encode(`data: ${JSON.stringify(data)}\n\n`);
  let metadata: TurnMetadata = {};
  let failure: string | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(event(chunk(ids, { role: "assistant", content: "" }, null)));
    },
    async pull(controller) {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        let parsed: UiChunk;
        try {
          parsed = JSON.parse(value) as UiChunk;
        } catch {
          continue;
        }
        if (parsed.type === "message-metadata" && parsed.messageMetadata) metadata = { ...metadata, ...parsed.messageMetadata };
        if (parsed.type === "error") failure = parsed.errorText ?? "The turn failed";
        if (parsed.type === "text-delta" && parsed.delta) {
          controller.enqueue(event(chunk(ids, { content: parsed.delta }, null)));
          return;
        }
      }
      const { error } = await ended;
      const failed = error ?? failure;
      if (failed) {
        controller.enqueue(event(openAiErrorBody(502, "turn_failed", failed)));
      } else {
        controller.enqueue(event({ ...chunk(ids, {}, "stop"), netm8: { thread_id: options.threadId, credits: metadata.credits ?? 0 } }));
        if (options.includeUsage) {
          controller.enqueue(event({ ...chunk(ids, {}, null), choices: [], usage: completionUsage(metadata.usage) }));
        }
      }
      controller.enqueue(encoder.encode("data: [DONE]\n\n"));
      controller.close();
    },
    cancel: () => options.onCancel(),
  });
}
