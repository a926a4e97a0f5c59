import { z } from "zod";
import { AGENT_ID } from "../agents/ids.ts";

/** The model name an agent answers to on the OpenAI-compatible API. */
export const AGENT_MODEL_PREFIX = "agent/";

export function agentModelName(agentId: string): string {
  return `${AGENT_MODEL_PREFIX}${agentId}`;
}

/** The agent id a model name names, or null when it is not `agent/<agentId>`. */
export function agentIdOfModel(model: string): string | null {
  if (!model.startsWith(AGENT_MODEL_PREFIX)) return null;
  const id = model.slice(AGENT_MODEL_PREFIX.length);
  return AGENT_ID.test(id) ? id : null;
}

const TextPart = z.object({ type: z.literal("text"), text: z.string() });

/** A message's content: a string, an array of text parts (other part kinds are refused), or null (assistant turns). */
const Content = z.union([z.string(), z.array(TextPart), z.null()]);

const ChatMessage = z.object({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: Content.optional(),
  name: z.string().optional(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

/**
 * The body of `POST /v1/chat/completions` as OpenAI's clients send it. Sampling fields (temperature, max_tokens,
 * tools...) are accepted and ignored: the agent's own model settings and tools decide. `thread` is netM8's own field.
 */
export const ChatCompletionRequest = z.object({
  model: z.string().min(1, "model is required"),
  messages: z.array(ChatMessage).min(1, "messages must not be empty"),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  thread: z.string().nullish(),
  user: z.string().nullish(),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export function contentText(content: ChatMessage["content"]): string {
  if (content == null) return "";
  return typeof content === "string" ? content : content.map((part) => part.text).join("");
}

/** The turn's input (the last message, which must be the user's) and the earlier messages before it. */
export function splitConversation(messages: ChatMessage[]): { input: string; earlier: ChatMessage[] } | null {
  const last = messages.at(-1);
  if (last?.role !== "user") return null;
  return { input: contentText(last.content), earlier: messages.slice(0, -1) };
}
