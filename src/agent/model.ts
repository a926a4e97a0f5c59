import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { LanguageModel } from "ai";
import { createWorkersAI } from "workers-ai-provider";
import type { Env } from "../env.ts";
import { MODEL_NOT_ANSWERING } from "./wire.ts";

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

/** How long a model response may send nothing before it is cancelled, unless LLM_STREAM_IDLE_TIMEOUT_MS says otherwise. */
export const DEFAULT_STREAM_IDLE_TIMEOUT_MS = 120_000;

type ModelEnv = Pick<Env, "LLM_PROVIDER" | "LLM_BASE_URL" | "LLM_API_KEY" | "LLM_MODEL" | "AI" | "LLM_STREAM_IDLE_TIMEOUT_MS">;

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

const builtModels = new WeakMap<ModelEnv, Map<string, LanguageModel>>();

/**
 * The name the endpoint knows an agent's catalog model by. The catalog's default model is the one LLM_MODEL names
 * (the operator's choice for it, as before agents chose models); any other catalog model is asked for by its id.
 * Workers AI runs catalog models named `@cf/...` and the default gpt-oss otherwise.
 */
export function endpointModelName(env: ModelEnv, catalogModelId: string | undefined): string {
  const endpoint = modelEndpoint(env);
  if (!catalogModelId || catalogModelId === DEFAULT_LLM_MODEL) return endpoint.modelName;
  if (endpoint.provider === "workers-ai") return catalogModelId.startsWith("@cf/") ? catalogModelId : WORKERS_AI_MODEL;
  return catalogModelId;
}

/** The AI SDK model for an agent's catalog model: the configured OpenAI-compatible endpoint, or the Workers AI
 * binding. Built once per environment object and model (the provider keeps no per-request state), since every turn
 * needs it before its first token. */
export function languageModel(env: ModelEnv, catalogModelId?: string): LanguageModel {
  const name = endpointModelName(env, catalogModelId);
  let models = builtModels.get(env);
  if (!models) builtModels.set(env, (models = new Map()));
  let built = models.get(name);
  if (!built) models.set(name, (built = buildLanguageModel(env, name)));
  return built;
}

function buildLanguageModel(env: ModelEnv, modelName: string): LanguageModel {
  const endpoint = modelEndpoint(env);
  if (endpoint.provider === "workers-ai") {
    if (!env.AI) throw new Error("LLM_PROVIDER is workers-ai but the Worker has no AI binding (see wrangler.jsonc env.production.ai)");
    return createWorkersAI({ binding: env.AI })(modelName as typeof WORKERS_AI_MODEL);
  }
  const provider = createOpenAICompatible({
    name: "llm",
    baseURL: endpoint.description,
    apiKey: env.LLM_API_KEY || undefined,
    includeUsage: true,
    fetch: fetchWithIdleTimeout(streamIdleTimeoutMs(env), endpoint.description),
    ...(endpoint.isOllama && {
      transformRequestBody: (body: Record<string, unknown>) => ({
        ...body,
        options: { ...(body.options as object | undefined), num_ctx: OLLAMA_CONTEXT_TOKENS },
      }),
    }),
  });
  return provider.chatModel(modelName);
}

export function streamIdleTimeoutMs(env: Pick<Env, "LLM_STREAM_IDLE_TIMEOUT_MS">): number {
  const configured = Number(env.LLM_STREAM_IDLE_TIMEOUT_MS);
  return Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_STREAM_IDLE_TIMEOUT_MS;
}

/** A model endpoint that went silent: it neither answered nor sent a byte of its stream for the idle timeout. */
export class ModelStalled extends Error {
  constructor(endpoint: string, idleMs: number) {
    const seconds = Math.round(idleMs / 100) / 10;
    super(
      `The model endpoint ${endpoint} stopped sending for ${seconds} s, so its request was cancelled (LLM_STREAM_IDLE_TIMEOUT_MS). This step was not charged; you can retry.`,
    );
    this.name = "ModelStalled";
  }
}

/**
 * fetch for the model endpoint that cancels a request when the endpoint sends nothing (no headers, no stream bytes)
 * for `idleMs`: a hung server must end the turn with a message, not hold it and its reservation forever. Only the
 * model request is timed, so a tool running for minutes between two model steps is not affected.
 *
 * A stream that breaks (the endpoint went silent or closed the connection mid-answer) ends with an SSE error event,
 * as vLLM reports its own failures mid-generation: the AI SDK turns that into an error part (the turn's onError
 * runs and releases the step's reservation), whereas a failing body read would escape it as an unexplained error.
 */
export function fetchWithIdleTimeout(
  idleMs: number,
  endpoint: string,
  inner: typeof fetch = (input, init) => fetch(input, init),
): typeof fetch {
  return async (input, init) => {
    const cancel = new AbortController();
    const signal = init?.signal ? AbortSignal.any([init.signal, cancel.signal]) : cancel.signal;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // Never resolves; rejects with ModelStalled (and cancels the request) once the endpoint has been silent too long.
    const silence = () =>
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const stalled = new ModelStalled(endpoint, idleMs);
          cancel.abort(stalled);
          reject(stalled);
        }, idleMs);
      });
    let response: Response;
    try {
      response = await Promise.race([inner(input, { ...init, signal }), silence()]);
    } finally {
      clearTimeout(timer);
    }
    if (!response.body) return response;
    const isEventStream = (response.headers.get("content-type") ?? "").includes("text/event-stream");
    const reader = response.body.getReader();
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { done, value } = await Promise.race([reader.read(), silence()]);
          if (done) controller.close();
          else controller.enqueue(value);
        } catch (error) {
          reader.cancel(error).catch(() => {});
          // The caller cancelled (the user pressed stop): no message, just the end.
          if (init?.signal?.aborted) return controller.error(error);
          if (!isEventStream) return controller.error(error);
          const message = error instanceof ModelStalled ? error.message : modelStreamBrokenMessage(endpoint, error);
          controller.enqueue(
            encoder.encode(`\n\ndata: ${JSON.stringify({ error: { message, type: STREAM_INTERRUPTED, code: null } })}\n\n`),
          );
          controller.close();
        } finally {
          clearTimeout(timer);
        }
      },
      cancel(reason) {
        clearTimeout(timer);
        return reader.cancel(reason);
      },
    });
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
}

/** The error type of the SSE event that fetchWithIdleTimeout adds when a stream breaks; its message is final. */
export const STREAM_INTERRUPTED = "stream_interrupted";

function modelStreamBrokenMessage(endpoint: string, cause: unknown): string {
  const detail = cause instanceof Error ? cause.message : String(cause);
  return `The model endpoint ${endpoint} closed the connection in the middle of its answer (${detail}). This step was not charged; you can retry.`;
}

/** What a person should read when the model endpoint reported an error after its answer had started. */
export function modelFailedMidAnswerMessage(env: ModelEnv, detail: string): string {
  return `The model endpoint ${modelEndpoint(env).description} failed in the middle of its answer (${detail}). This step was not charged; you can retry.`;
}

/** Per-call provider options: gpt-oss's reasoning effort, sent as `reasoning_effort` (the provider also sends the
 * model's earlier reasoning back as `reasoning_content`, which gpt-oss needs on tool-call turns). */
export function modelProviderOptions(reasoningEffort: ReasoningEffort = "medium") {
  return { llm: { reasoningEffort } };
}

/**
 * What a person should read when the model endpoint cannot be reached or answers with an error: plain words, the
 * endpoint and its error for support. How to configure the endpoint is for admins (modelSetupHint, /admin/health).
 */
export function modelUnavailableMessage(env: ModelEnv, cause: unknown): string {
  const endpoint = modelEndpoint(env);
  const detail = cause instanceof Error ? cause.message : String(cause);
  console.error(`model endpoint ${endpoint.description} could not answer: ${detail}. ${modelSetupHint(env)}`);
  return `${MODEL_NOT_ANSWERING} Nothing was charged. (${endpoint.description}: ${detail})`;
}

/** For operators (logs and the admin health page): how to get the configured model endpoint answering. */
export function modelSetupHint(env: ModelEnv): string {
  const endpoint = modelEndpoint(env);
  return endpoint.provider === "workers-ai"
    ? "Check the AI binding of this Worker."
    : `Start a model server there (for example \`ollama serve\` with \`ollama pull ${endpoint.modelName}\`) or set LLM_BASE_URL, LLM_API_KEY and LLM_MODEL to another OpenAI-compatible endpoint.`;
}
