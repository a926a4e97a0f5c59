import type { UIMessage } from "ai";
import { getDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { findAgentById } from "../lib/agents/agents.ts";
import { getEnabledModel } from "../lib/billing/catalog.ts";
import { stepMaxCost } from "../lib/billing/pricing.ts";
import { contextBudget } from "./context-window.ts";
import { estimateTokens, PROMPT_OVERHEAD_TOKENS } from "../lib/agents/prompt-size.ts";
import type { TaskStepResult } from "./tasks.ts";
import type { TurnMetadata } from "./wire.ts";

/** The part of a ChatThread a task step drives (public AIChatAgent API plus the step limit the thread honours). */
export interface TaskThread {
  messages: UIMessage[];
  saveMessages(
    messages: (current: readonly UIMessage[]) => UIMessage[] | Promise<UIMessage[]>,
  ): Promise<{ status: string; error?: string }>;
  persistMessages(messages: UIMessage[]): Promise<void>;
  /** When set, a turn makes at most this many model steps. */
  taskStepLimit: number | undefined;
}

function textOf(message: UIMessage | undefined): string {
  return (message?.parts ?? [])
    .filter((p): p is { type: "text"; text: string } => p.type === "text")
    .map((p) => p.text)
    .join("");
}

/**
 * Runs one step of a task in its thread: one model call and the tool calls it makes, saved to the thread when it
 * ends (the checkpoint). The first step posts the task prompt; later steps continue from the saved history. A step
 * whose most expensive outcome would not fit in what is left of the credit budget does not start.
 */
export async function runTaskStep(
  thread: TaskThread,
  env: Env,
  agentId: string,
  input: { prompt: string; remainingMillicredits: number },
): Promise<TaskStepResult> {
  const db = getDb(env.DB);
  const agent = await findAgentById(db, agentId);
  if (!agent) return { outcome: "error", text: "", error: "The agent no longer exists" };
  const model = await getEnabledModel(db, agent.modelId);
  const budget = contextBudget(env, model.contextWindowTokens);
  const promptTokens = Math.min(
    estimateTokens(thread.messages) + estimateTokens(input.prompt) + PROMPT_OVERHEAD_TOKENS,
    budget.windowTokens,
  );
  if (stepMaxCost(model, promptTokens, budget.maxOutputTokens) > input.remainingMillicredits) return { outcome: "credit_budget", text: "" };

  // After a restart the prompt may already be saved (the step that posted it was interrupted): never post it twice.
  const started = thread.messages.some((m) => m.role === "user");
  const before = thread.messages.length;
  thread.taskStepLimit = 1;
  let result: { status: string; error?: string };
  try {
    result = await thread.saveMessages((messages) =>
      started
        ? [...messages]
        : [...messages, { id: crypto.randomUUID(), role: "user", parts: [{ type: "text", text: input.prompt }], metadata: { task: true } }],
    );
  } finally {
    thread.taskStepLimit = undefined;
  }
  const answer = thread.messages.slice(before).findLast((m) => m.role === "assistant");
  const text = textOf(answer);
  const metadata = (answer?.metadata ?? {}) as TurnMetadata;
  if (metadata.error === "insufficient_credits") return { outcome: "no_credits", text };
  if (metadata.loop) return { outcome: "loop", text };
  // A call the policy says Ask ended the step: the task waits for a person (./approvals.ts).
  if (answer?.parts.some((p) => (p as { state?: string }).state === "approval-requested")) return { outcome: "approval", text };
  if (result.status === "aborted" || result.status === "skipped") return { outcome: "aborted", text };
  if (result.status === "error" || metadata.error) return { outcome: "error", text, error: result.error ?? text ?? "The step failed" };
  const calledTools = (answer?.parts ?? []).some((p) => p.type.startsWith("tool-"));
  return { outcome: calledTools ? "tool_calls" : "final", text };
}

/** Whether a thread is a task's (its prompt is marked), so an interruption notice can say the task goes on. */
export function isTaskThread(messages: readonly UIMessage[]): boolean {
  return messages.some((m) => m.role === "user" && (m.metadata as { task?: boolean } | undefined)?.task === true);
}

/** Adds a notice from the platform to the end of a task's thread (why the task ended). */
export async function appendNotice(thread: TaskThread, text: string): Promise<void> {
  const notice: UIMessage = { id: crypto.randomUUID(), role: "assistant", parts: [{ type: "text", text }], metadata: { taskNotice: true } };
  await thread.persistMessages([...thread.messages, notice]);
}

const FILE_TOOLS: Record<string, (input: Record<string, unknown>) => unknown> = {
  write_file: (i) => i.path,
  delete_file: (i) => i.path,
  move_file: (i) => i.to,
};

/** What a task's thread shows it did: the files its tool calls changed, and its last words. */
export function taskFacts(thread: Pick<TaskThread, "messages">): { filesChanged: string[]; lastText: string } {
  const files = new Set<string>();
  let lastText = "";
  for (const message of thread.messages) {
    if (message.role !== "assistant") continue;
    const text = textOf(message);
    if (text.trim()) lastText = text;
    for (const part of message.parts) {
      const name = part.type.startsWith("tool-") ? part.type.slice("tool-".length) : "";
      const call = part as { input?: Record<string, unknown>; state?: string };
      const pick = FILE_TOOLS[name];
      if (pick && call.state === "output-available" && call.input) {
        const path = pick(call.input);
        if (typeof path === "string") files.add(path);
      }
    }
  }
  return { filesChanged: [...files], lastText };
}
