import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import { createWorkersAI } from "workers-ai-provider";
import type { Env } from "../env.ts";

export const DEFAULT_LLM_BASE_URL = "http://127.0.0.1:11434/v1";
export const DEFAULT_LLM_MODEL = "gpt-oss:20b";
export const WORKERS_AI_MODEL = "@cf/openai/gpt-oss-20b";

/** gpt-oss reads its reasoning effort as low, medium or high. */
export type ReasoningEffort = "low" | "medium" | "high";

/** The most output tokens one model step may produce: part of every step's reservation. */
export const STEP_MAX_OUTPUT_TOKENS = 4096;

/**
 * Ollama's default context (a few thousand tokens) silently truncates a long system prompt and tool list, so we ask
 * for enough room explicitly.
 */
export const OLLAMA_CONTEXT_TOKENS = 32_768;

type ModelEnv = Pick<Env, "LLM_PROVIDER" | "LLM_BASE_URL" | "LLM_API_KEY" | "LLM_MODEL" | "AI">;

export interface ModelEndpoint {
  provider: "openai-compatible" | "workers-ai";
  /** Where requests go, for error messages ("the model endpoint http://... did not answer"). */
  description: string;
  modelName: string;
  isOllama: boolean;
}

export function modelEndpoint(env: ModelEnv): ModelEndpoint {
  if (env.LLM_PROVIDER === "workers-ai") {
    return { provider: "workers-ai", description: `Workers AI (${WORKERS_AI_MODEL})`, modelName: WORKERS_AI_MODEL, isOllama: false };
  }
  const baseUrl = env.LLM_BASE_URL || DEFAULT_LLM_BASE_URL;
  const isOllama = env.LLM_PROVIDER === "ollama" || new URL(baseUrl).port === "11434";
  return { provider: "openai-compatible", description: baseUrl, modelName: env.LLM_MODEL || DEFAULT_LLM_MODEL, isOllama };
}

/** The AI SDK model for an agent: the configured OpenAI-compatible endpoint, or the Workers AI binding. */
export function languageModel(env: ModelEnv): LanguageModel {
  const endpoint = modelEndpoint(env);
  if (endpoint.provider === "workers-ai") {
    if (!env.AI) throw new Error("LLM_PROVIDER is workers-ai but the Worker has no AI binding (see wrangler.jsonc env.production.ai)");
    return createWorkersAI({ binding: env.AI })(WORKERS_AI_MODEL);
  }
  const provider = createOpenAICompatible({
    name: "llm",
    baseURL: endpoint.description,
    apiKey: env.LLM_API_KEY || undefined,
    includeUsage: true,
    ...(endpoint.isOllama && {
      transformRequestBody: (body: Record<string, unknown>) => ({
        ...body,
        options: { ...(body.options as object | undefined), num_ctx: OLLAMA_CONTEXT_TOKENS },
      }),
    }),
  });
  return provider.chatModel(endpoint.modelName);
}

/** Per-call provider options: gpt-oss's reasoning effort, sent as `reasoning_effort` (the provider also sends the
 * model's earlier reasoning back as `reasoning_content`, which gpt-oss needs on tool-call turns). */
export function modelProviderOptions(reasoningEffort: ReasoningEffort = "medium") {
  return { llm: { reasoningEffort } };
}

/** What a person should read when the model endpoint cannot be reached or answers with an error. */
export function modelUnavailableMessage(env: ModelEnv, cause: unknown): string {
  const endpoint = modelEndpoint(env);
  const detail = cause instanceof Error ? cause.message : String(cause);
  const how =
    endpoint.provider === "workers-ai"
      ? "Check the AI binding of this Worker."
      : `Start a model server there (for example \`ollama serve\` with \`ollama pull ${endpoint.modelName}\`) or set LLM_BASE_URL, LLM_API_KEY and LLM_MODEL to another OpenAI-compatible endpoint.`;
  return `The model endpoint ${endpoint.description} could not answer (${detail}). ${how} Nothing was charged; you can retry.`;
}
