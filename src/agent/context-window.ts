import type { ModelMessage } from "ai";
import { OLLAMA_CONTEXT_TOKENS, STEP_MAX_OUTPUT_TOKENS, modelEndpoint } from "./model.ts";
import { estimateTokens } from "./metering.ts";
import type { Env } from "../env.ts";

/** How much of the message budget the recent, verbatim part of the conversation may take; the summary gets a share too. */
const RECENT_SHARE = 0.6;
const SUMMARY_SHARE = 0.25;
const LINE_CHARS = 240;

export interface ContextBudget {
  /** The model's context window in tokens, as the endpoint will enforce it. */
  windowTokens: number;
  /** The most output tokens one step may produce (part of every step's reservation). */
  maxOutputTokens: number;
}

/**
 * The context window a step must fit: the catalog's, narrowed by LLM_CONTEXT_TOKENS when the endpoint serves a
 * smaller one, and by the context length we ask Ollama for.
 */
export function contextBudget(
  env: Pick<Env, "LLM_PROVIDER" | "LLM_BASE_URL" | "LLM_API_KEY" | "LLM_MODEL" | "AI" | "LLM_CONTEXT_TOKENS">,
  catalogTokens: number,
): ContextBudget {
  let windowTokens = catalogTokens;
  const configured = Number(env.LLM_CONTEXT_TOKENS);
  if (Number.isFinite(configured) && configured > 0) windowTokens = Math.min(windowTokens, configured);
  if (modelEndpoint(env).isOllama) windowTokens = Math.min(windowTokens, OLLAMA_CONTEXT_TOKENS);
  return { windowTokens, maxOutputTokens: Math.min(STEP_MAX_OUTPUT_TOKENS, Math.floor(windowTokens / 4)) };
}

export interface FittedContext {
  messages: ModelMessage[];
  /** A summary of the turns left out, for the system prompt; undefined when everything fits. */
  summary?: string;
  /** How many of the stored messages the summary stands for. */
  summarizedCount: number;
}

function clip(text: string, max: number): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function describe(message: ModelMessage): string {
  if (typeof message.content === "string") return `${message.role}: ${clip(message.content, LINE_CHARS)}`;
  const pieces: string[] = [];
  for (const part of message.content) {
    if (part.type === "text") pieces.push(clip(part.text, LINE_CHARS));
    else if (part.type === "tool-call") pieces.push(`called ${part.toolName}(${clip(JSON.stringify(part.input ?? {}), 120)})`);
    else if (part.type === "tool-result") pieces.push(`${part.toolName} returned ${clip(JSON.stringify(part.output ?? null), 120)}`);
  }
  return pieces.length > 0 ? `${message.role}: ${pieces.join("; ")}` : "";
}

/** A message cut down to a size, as a last resort when one message alone exceeds the budget. */
function shrink(message: ModelMessage, maxTokens: number): ModelMessage {
  const maxChars = Math.max(200, maxTokens * 3);
  const cut = (text: string) => (text.length > maxChars ? `${text.slice(0, maxChars)}\n… [cut to fit the model's context window]` : text);
  if (typeof message.content === "string") return { ...message, content: cut(message.content) } as ModelMessage;
  const content = message.content.map((part) => {
    if (part.type === "text") return { ...part, text: cut(part.text) };
    if (part.type === "tool-result") {
      const text = cut(JSON.stringify(part.output ?? null));
      return { ...part, output: { type: "text" as const, value: text } };
    }
    return part;
  });
  return { ...message, content } as ModelMessage;
}

/**
 * Fits a conversation into a token budget. When it is too long, the most recent messages are kept verbatim and the
 * older ones are condensed into a summary (one line per message: what was asked, said, called and returned), so a
 * long task keeps its thread of work. The stored history is not touched.
 */
export function fitToContext(messages: ModelMessage[], budgetTokens: number): FittedContext {
  if (estimateTokens(messages) <= budgetTokens) return { messages, summarizedCount: 0 };
  const recentBudget = Math.floor(budgetTokens * RECENT_SHARE);
  let start = messages.length;
  let used = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const size = estimateTokens(messages[i]);
    if (used + size > recentBudget && start < messages.length) break;
    used += size;
    start = i;
  }
  // A tool result must follow the assistant message that called it, so the kept part never starts with one.
  while (start < messages.length - 1 && messages[start]!.role === "tool") start++;
  let recent = messages.slice(start);
  if (estimateTokens(recent) > recentBudget) recent = recent.map((m) => shrink(m, Math.floor(recentBudget / recent.length)));

  const older = messages.slice(0, start);
  const summaryBudgetChars = Math.floor(budgetTokens * SUMMARY_SHARE) * 3;
  // The first message usually states the goal (a task's prompt), so it always stays; then the newest lines fit.
  const first = `- ${describe(older[0]!)}`;
  const lines: string[] = [];
  let chars = first.length;
  for (let i = older.length - 1; i >= 1; i--) {
    const line = describe(older[i]!);
    if (!line) continue;
    if (chars + line.length + 3 > summaryBudgetChars) {
      lines.push(`… (${i} earlier messages omitted)`);
      break;
    }
    lines.push(`- ${line}`);
    chars += line.length + 3;
  }
  lines.push(first);
  const summary =
    `The conversation is longer than your context window. Its ${older.length} earliest messages are summarized here ` +
    `(oldest first; the full history is stored); the messages after this are verbatim.\n${lines.reverse().join("\n")}`;
  return { messages: recent, summary, summarizedCount: older.length };
}
