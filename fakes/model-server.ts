/**
 * A local stand-in for an OpenAI-compatible chat-completions server (Ollama or vLLM serving `gpt-oss:20b`).
 *
 * Endpoints: `GET /v1/models`, `POST /v1/chat/completions` (`stream: false` → one JSON completion; `stream: true` →
 * SSE `data: {chunk}\n\n` lines ending with `data: [DONE]`, plus a `choices: []` usage chunk when
 * `stream_options.include_usage` is set, as OpenAI does). Reasoning goes in `reasoning_content` (gpt-oss on vLLM) or,
 * with `reasoningField: "reasoning"`, in `reasoning` (Ollama). Tool calls stream the OpenAI way: a first delta with
 * `index`, `id`, `type: "function"`, `function.name` and empty arguments, then argument fragments.
 *
 * Refusals like a real server: 401 when started with `apiKey` and `Authorization: Bearer <key>` differs; 400 for a
 * malformed body; 404 for an unknown model or path; 400 naming the limit when the prompt exceeds `contextTokens` (as
 * vLLM does), or with `contextOverflow: "truncate"` an answer anyway with the request marked `truncated` (as Ollama
 * does, which also takes the limit from the request's `options.num_ctx`).
 * Token counts are deterministic: ~4 characters per token (prompt = messages JSON + tools JSON).
 *
 * Which step answers a request, first match wins:
 *   1. rules from `when(matcher, step)`, in the order they were added;
 *   2. the queue from `enqueue(...steps)`, one step per request;
 *   3. built-in conventions that need no setup (load tests, benchmarks, `npm start` against the CLI):
 *      - the last message is a tool result → text `Tool result: <its content, truncated to 200 chars>`;
 *      - the last user message contains `[[tool:exec:<command>]]` → an `exec` tool call, arguments
 *        `{"command": "<command>"}`; `[[tool:<name>:<JSON object>]]` calls any other tool with those arguments;
 *        several markers make several parallel calls;
 *      - it contains `[[reasoning]]` → some reasoning before the echo;
 *   4. `defaultBehaviour` from the options, else echo: `Echo: <last user message>` streamed in several chunks.
 *
 * Run as a CLI: `node fakes/model-server.ts --port 11434 [--api-key k] [--model m[,m2]] [--context-tokens n]
 * [--context-overflow error|truncate] [--reasoning-field reasoning_content|reasoning]`, then
 * `LLM_BASE_URL=http://127.0.0.1:11434/v1 npm start`.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { pathToFileURL } from "node:url";

export interface ScriptedToolCall {
  name: string;
  /** Serialised with JSON.stringify. */
  arguments?: unknown;
  /** Sent verbatim instead of `arguments`, e.g. `"{not json"` to exercise tool-call repair. */
  rawArguments?: string;
  id?: string;
}

/** One response to one chat-completions request. */
export interface Step {
  reasoning?: string;
  text?: string;
  toolCalls?: ScriptedToolCall[];
  /** Defaults to `tool_calls` when there are tool calls, `length` when `max_tokens` cut the output, else `stop`. */
  finishReason?: "stop" | "tool_calls" | "length";
  /** Answer with this HTTP status and an OpenAI-style error body instead of a completion. */
  error?: { status: number; message: string; type?: string };
  /** Stream an SSE `{"error": {...}}` chunk (as vLLM does on a failure mid-generation) after the first content. */
  streamError?: string;
  /** Send headers and the role chunk, then wait this long before the content (or until the client aborts). */
  stallMs?: number;
  /** Send headers and the role chunk, then hang until the client aborts or the server closes. */
  stall?: boolean;
  /** Destroy the socket after this many SSE events (the role chunk counts); non-streaming: before any response. */
  dropAfterChunks?: number;
  /** Send an SSE event whose data is not JSON after the role chunk (non-streaming: a body that is not JSON). */
  malformedChunk?: boolean;
  /** Characters per content / reasoning / argument delta. Default 4 (about one token). */
  chunkSize?: number;
  delayMsBetweenChunks?: number;
  /** Wait before the first content delta (after headers and the role chunk). */
  firstTokenDelayMs?: number;
  /** Override the computed usage numbers. */
  usage?: Partial<Usage>;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  reasoning_content?: string;
  reasoning?: string;
  [key: string]: unknown;
}

export interface ChatRequestBody {
  model: string;
  messages: ChatMessage[];
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: unknown[];
  max_tokens?: number;
  max_completion_tokens?: number;
  [key: string]: unknown;
}

export interface RecordedRequest {
  /** Position in `requests`, from 0. */
  index: number;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** The parsed body; undefined when it was not valid JSON. */
  body: ChatRequestBody | undefined;
  stream: boolean;
  /** Approximate prompt tokens (0 when the body was malformed). */
  promptTokens: number;
  /** Text of the last `user` message ("" when none). */
  lastUserMessage: string;
  /** The last message of any role. */
  lastMessage: ChatMessage | undefined;
  /** HTTP status sent (0 while the response has not started). */
  status: number;
  /** The error message sent with a 4xx/5xx, if any. */
  errorMessage?: string;
  /** The context limit that applied to this request, if any. */
  contextLimit?: number;
  /** The prompt exceeded the context limit (refused, or answered with `truncated` in "truncate" mode). */
  overContext: boolean;
  /** Answered although the prompt exceeded the limit, as Ollama silently drops the start of the prompt. */
  truncated: boolean;
  /** The client closed the connection before the response ended (not set when `close()` ended it). */
  aborted: boolean;
  /** The server cut the connection on purpose (`dropAfterChunks`). */
  dropped: boolean;
  /** The response was written to the end. */
  completed: boolean;
  /** `performance.now()` at arrival. */
  receivedAt: number;
}

export interface StreamTiming {
  requestIndex: number;
  /** Request arrival (after its body was read) to the first content, reasoning or tool-call byte written. */
  firstContentMs: number;
  /** Request arrival to the end of the response; undefined if it never ended normally. */
  totalMs?: number;
}

export type StepSource = Step | ((request: RecordedRequest) => Step);
export type Matcher = ((request: RecordedRequest) => boolean) | { lastUserMessageIncludes?: string; lastMessageRole?: string };

export interface ModelServerOptions {
  port?: number;
  host?: string;
  apiKey?: string;
  /** The model name, or several. Default `gpt-oss:20b`. */
  model?: string | string[];
  /** Refuse prompts over this many (approximate) tokens. Default: no limit. */
  contextTokens?: number;
  /** `error` (vLLM, default): 400 naming the limit. `truncate` (Ollama): answer anyway, honour `options.num_ctx`. */
  contextOverflow?: "error" | "truncate";
  /** What answers when no rule, queued step or convention does. Default: echo. */
  defaultBehaviour?: StepSource;
  /** Where streamed reasoning goes: `reasoning_content` (vLLM, default) or `reasoning` (Ollama). */
  reasoningField?: "reasoning_content" | "reasoning";
}

export interface FakeModelServer {
  /** Base URL including `/v1`, e.g. `http://127.0.0.1:41234/v1`. */
  url: string;
  port: number;
  models: string[];
  contextTokens: number | undefined;
  /** Every chat-completions request, in arrival order. */
  requests: RecordedRequest[];
  timings: StreamTiming[];
  /** Responses (streaming or not) still open. */
  readonly activeStreams: number;
  /** Requests whose prompt exceeded the context limit (refused or truncated). */
  readonly overContextRequests: RecordedRequest[];
  /** The largest prompt any request carried, in approximate tokens. */
  readonly maxPromptTokens: number;
  /** Steps answering the next requests, one each, in order. */
  enqueue(...steps: StepSource[]): void;
  /** Answers every matching request (or only the first with `{ once: true }`); returns a function removing the rule. */
  when(matcher: Matcher, step: StepSource, options?: { once?: boolean }): () => void;
  /** Resolves with `requests` once there are at least `count`; rejects after `timeoutMs` (default 5000). */
  waitForRequests(count: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  /** Resolves once `condition()` is true; rejects after `timeoutMs` (default 5000). */
  waitFor(condition: () => boolean, timeoutMs?: number, description?: string): Promise<void>;
  /** Forgets requests, timings, queue and rules (open responses continue). */
  reset(): void;
  /** Ends open responses and stops the server. */
  close(): Promise<void>;
}

const CHARS_PER_TOKEN = 4;
const TOOL_RESULT_PREVIEW_CHARS = 200;

export function approximateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function promptTokensOf(body: Pick<ChatRequestBody, "messages" | "tools">): number {
  return approximateTokens(JSON.stringify(body.messages ?? []) + JSON.stringify(body.tools ?? []));
}

export function messageText(message: ChatMessage | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (part && typeof part === "object" && typeof part.text === "string" ? part.text : "")).join("");
}

/** The built-in behaviour described in the header, or undefined when no convention applies. */
export function conventionStep(request: RecordedRequest): Step | undefined {
  const last = request.lastMessage;
  if (last?.role === "tool") {
    const result = messageText(last);
    const preview = result.slice(0, TOOL_RESULT_PREVIEW_CHARS);
    return { text: `Tool result: ${preview}${result.length > preview.length ? "…" : ""}` };
  }
  if (last?.role !== "user") return undefined;
  const markers = [...request.lastUserMessage.matchAll(/\[\[tool:([\w.-]+):([\s\S]*?)\]\]/g)];
  if (markers.length > 0) {
    return {
      toolCalls: markers.map(([, name = "", argument = ""]) => ({ name, arguments: toolArguments(name, argument) })),
    };
  }
  if (request.lastUserMessage.includes("[[reasoning]]")) {
    return { reasoning: "The user wants an echo. I will echo the message.", text: echoText(request) };
  }
  return undefined;
}

function toolArguments(name: string, argument: string): unknown {
  if (name === "exec") return { command: argument };
  try {
    return JSON.parse(argument);
  } catch {
    return { input: argument };
  }
}

function echoText(request: RecordedRequest): string {
  return `Echo: ${request.lastUserMessage}`;
}

function matches(matcher: Matcher, request: RecordedRequest): boolean {
  if (typeof matcher === "function") return matcher(request);
  if (matcher.lastMessageRole !== undefined && request.lastMessage?.role !== matcher.lastMessageRole) return false;
  const fragment = matcher.lastUserMessageIncludes;
  return fragment === undefined || request.lastUserMessage.includes(fragment);
}

function resolveStep(source: StepSource, request: RecordedRequest): Step {
  return typeof source === "function" ? source(request) : source;
}

function splitIntoChunks(text: string, size: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  return chunks;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener("abort", () => resolve(), { once: true });
  });
}

function validationError(body: unknown): string | undefined {
  if (!body || typeof body !== "object" || Array.isArray(body)) return "Request body must be a JSON object";
  const b = body as Record<string, unknown>;
  if (typeof b.model !== "string" || b.model === "") return "'model' is required and must be a string";
  if (!Array.isArray(b.messages) || b.messages.length === 0) return "'messages' must be a non-empty array";
  for (const [i, message] of b.messages.entries()) {
    const role = message && typeof message === "object" ? (message as { role?: unknown }).role : undefined;
    if (!["system", "developer", "user", "assistant", "tool"].includes(role as string)) {
      return `messages[${i}].role must be one of system, developer, user, assistant, tool`;
    }
  }
  if (b.stream !== undefined && typeof b.stream !== "boolean") return "'stream' must be a boolean";
  if (b.tools !== undefined && !Array.isArray(b.tools)) return "'tools' must be an array";
  return undefined;
}

interface PlannedOutput {
  reasoning: string;
  text: string;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string;
  usage: Usage;
}

function planOutput(step: Step, request: RecordedRequest, idPrefix: string): PlannedOutput {
  let reasoning = step.reasoning ?? "";
  let text = step.text ?? "";
  let toolCalls = (step.toolCalls ?? []).map((call, i) => ({
    id: call.id ?? `call_${idPrefix}_${i}`,
    name: call.name,
    arguments: call.rawArguments ?? JSON.stringify(call.arguments ?? {}),
  }));
  let finishReason = step.finishReason ?? (toolCalls.length > 0 ? "tool_calls" : "stop");
  const maxTokens = request.body?.max_completion_tokens ?? request.body?.max_tokens;
  const wanted = approximateTokens(reasoning + text) + toolCallTokens(toolCalls);
  if (typeof maxTokens === "number" && wanted > maxTokens) {
    const budget = maxTokens * CHARS_PER_TOKEN;
    reasoning = reasoning.slice(0, budget);
    text = text.slice(0, Math.max(0, budget - reasoning.length));
    toolCalls = [];
    finishReason = "length";
  }
  const completion = approximateTokens(reasoning + text) + toolCallTokens(toolCalls);
  const prompt = step.usage?.prompt_tokens ?? request.promptTokens;
  const completionTokens = step.usage?.completion_tokens ?? completion;
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: completionTokens,
    total_tokens: step.usage?.total_tokens ?? prompt + completionTokens,
  };
  return { reasoning, text, toolCalls, finishReason, usage };
}

function toolCallTokens(calls: { name: string; arguments: string }[]): number {
  return calls.reduce((sum, call) => sum + approximateTokens(call.name + call.arguments), 0);
}

/** Starts the fake on 127.0.0.1 (a free port unless `port` is given). */
export async function startModelServer(options: ModelServerOptions = {}): Promise<FakeModelServer> {
  const models = Array.isArray(options.model) ? options.model : [options.model ?? "gpt-oss:20b"];
  const reasoningField = options.reasoningField ?? "reasoning_content";
  const requests: RecordedRequest[] = [];
  const timings: StreamTiming[] = [];
  let queue: StepSource[] = [];
  let rules: { matcher: Matcher; step: StepSource; once: boolean }[] = [];
  const open = new Set<ServerResponse>();
  const closing = new AbortController();
  let nextId = 0;

  function chooseStep(request: RecordedRequest): Step {
    const rule = rules.find((r) => matches(r.matcher, request));
    if (rule) {
      if (rule.once) rules = rules.filter((r) => r !== rule);
      return resolveStep(rule.step, request);
    }
    const queued = queue.shift();
    if (queued) return resolveStep(queued, request);
    const convention = conventionStep(request);
    if (convention) return convention;
    if (options.defaultBehaviour) return resolveStep(options.defaultBehaviour, request);
    return { text: echoText(request) };
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, record?: RecordedRequest) {
    if (record) record.status = status;
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  function sendError(res: ServerResponse, status: number, message: string, type: string, record?: RecordedRequest) {
    if (record) record.errorMessage = message;
    sendJson(res, status, { error: { message, type, param: null, code: status } }, record);
  }

  function authorized(headers: IncomingHttpHeaders): boolean {
    return options.apiKey === undefined || headers.authorization === `Bearer ${options.apiKey}`;
  }

  async function handleChat(record: RecordedRequest, res: ServerResponse) {
    if (!authorized(record.headers)) {
      return sendError(res, 401, "Incorrect API key provided", "invalid_request_error", record);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(record.rawBody);
    } catch {
      return sendError(res, 400, "Could not parse the request body as JSON", "invalid_request_error", record);
    }
    const invalid = validationError(parsed);
    if (invalid) return sendError(res, 400, invalid, "invalid_request_error", record);
    const body = parsed as ChatRequestBody;
    record.body = body;
    record.stream = body.stream === true;
    record.promptTokens = promptTokensOf(body);
    record.lastMessage = body.messages.at(-1);
    record.lastUserMessage = messageText(body.messages.findLast((m) => m.role === "user"));
    if (!models.includes(body.model)) {
      return sendError(res, 404, `The model '${body.model}' does not exist`, "not_found_error", record);
    }
    const numCtx = (body.options as { num_ctx?: unknown } | undefined)?.num_ctx;
    record.contextLimit = options.contextOverflow === "truncate" && typeof numCtx === "number" ? numCtx : options.contextTokens;
    record.overContext = record.contextLimit !== undefined && record.promptTokens > record.contextLimit;
    record.truncated = record.overContext && options.contextOverflow === "truncate";
    if (record.overContext && !record.truncated) {
      return sendError(
        res,
        400,
        `This model's maximum context length is ${record.contextLimit} tokens. However, your request has ` +
          `${record.promptTokens} input tokens. Please reduce the length of the input messages or tools.`,
        "invalid_request_error",
        record,
      );
    }

    const step = chooseStep(record);
    if (step.error) {
      return sendError(res, step.error.status, step.error.message, step.error.type ?? "server_error", record);
    }

    // Ends waits early when the client goes away or the server closes.
    const clientGone = new AbortController();
    res.on("close", () => clientGone.abort());
    const gone = AbortSignal.any([clientGone.signal, closing.signal]);

    const id = `chatcmpl-${++nextId}`;
    const created = Math.floor(Date.now() / 1000);
    const plan = planOutput(step, record, String(nextId));
    if (record.stream) await stream(record, res, step, plan, id, created, gone);
    else await respondOnce(record, res, step, plan, id, created, gone);
  }

  async function respondOnce(
    record: RecordedRequest,
    res: ServerResponse,
    step: Step,
    plan: PlannedOutput,
    id: string,
    created: number,
    gone: AbortSignal,
  ) {
    await sleep(step.firstTokenDelayMs ?? 0, gone);
    if (step.stall) await untilAborted(gone);
    await sleep(step.stallMs ?? 0, gone);
    if (gone.aborted) return;
    if (step.dropAfterChunks !== undefined) {
      record.dropped = true;
      res.socket?.destroy();
      return;
    }
    if (step.malformedChunk) {
      record.status = 200;
      res.writeHead(200, { "content-type": "application/json" }).end("{not json");
      return;
    }
    // OpenAI sends `content: null` on a turn that only calls tools.
    const content = plan.text || (plan.toolCalls.length > 0 ? null : "");
    const message: Record<string, unknown> = { role: "assistant", content };
    if (plan.reasoning) message[reasoningField] = plan.reasoning;
    if (plan.toolCalls.length > 0) {
      message.tool_calls = plan.toolCalls.map((call) => ({
        id: call.id,
        type: "function",
        function: { name: call.name, arguments: call.arguments },
      }));
    }
    sendJson(
      res,
      200,
      {
        id,
        object: "chat.completion",
        created,
        model: record.body!.model,
        choices: [{ index: 0, message, finish_reason: plan.finishReason }],
        usage: plan.usage,
      },
      record,
    );
  }

  async function stream(
    record: RecordedRequest,
    res: ServerResponse,
    step: Step,
    plan: PlannedOutput,
    id: string,
    created: number,
    gone: AbortSignal,
  ) {
    const model = record.body!.model;
    const chunkSize = Math.max(1, step.chunkSize ?? 4);
    const between = step.delayMsBetweenChunks ?? 0;
    let events = 0;
    let timing: StreamTiming | undefined;

    // Returns false once the response can no longer be written (client gone, server closing or drop reached).
    async function send(data: string, isContent: boolean): Promise<boolean> {
      if (gone.aborted) return false;
      if (step.dropAfterChunks !== undefined && events >= step.dropAfterChunks) {
        record.dropped = true;
        res.socket?.destroy();
        return false;
      }
      if (isContent && !timing) {
        timing = { requestIndex: record.index, firstContentMs: performance.now() - record.receivedAt };
        timings.push(timing);
      }
      events++;
      if (!res.write(`data: ${data}\n\n`)) {
        await new Promise<void>((resolve) => {
          res.once("drain", resolve);
          gone.addEventListener("abort", () => resolve(), { once: true });
        });
      }
      return !gone.aborted;
    }
    const chunk = (delta: Record<string, unknown>, finishReason: string | null = null) =>
      JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created,
        model,
        system_fingerprint: "fp_fake",
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      });

    record.status = 200;
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive" });
    res.flushHeaders();
    if (!(await send(chunk({ role: "assistant", content: "" }), false))) return;
    if (step.malformedChunk && !(await send("{not json", false))) return;
    if (step.stall) await untilAborted(gone);
    await sleep(step.stallMs ?? 0, gone);
    await sleep(step.firstTokenDelayMs ?? 0, gone);

    const deltas: Record<string, unknown>[] = [];
    for (const piece of splitIntoChunks(plan.reasoning, chunkSize)) deltas.push({ [reasoningField]: piece });
    for (const piece of splitIntoChunks(plan.text, chunkSize)) deltas.push({ content: piece });
    plan.toolCalls.forEach((call, index) => {
      deltas.push({
        tool_calls: [{ index, id: call.id, type: "function", function: { name: call.name, arguments: "" } }],
      });
      for (const piece of splitIntoChunks(call.arguments, chunkSize * 2)) {
        deltas.push({ tool_calls: [{ index, function: { arguments: piece } }] });
      }
    });
    for (const [i, delta] of deltas.entries()) {
      if (i > 0) await sleep(between, gone);
      if (!(await send(chunk(delta), true))) return;
      if (i === 0 && step.streamError) {
        await send(JSON.stringify({ error: { message: step.streamError, type: "server_error", code: 500 } }), false);
        res.end();
        return;
      }
    }
    if (!(await send(chunk({}, plan.finishReason), false))) return;
    if (record.body!.stream_options?.include_usage) {
      const usageChunk = { id, object: "chat.completion.chunk", created, model, choices: [], usage: plan.usage };
      if (!(await send(JSON.stringify(usageChunk), false))) return;
    }
    if (!(await send("[DONE]", false))) return;
    res.end();
    if (timing) timing.totalMs = performance.now() - record.receivedAt;
  }

  const server = createServer((req, res) => {
    const receivedAt = performance.now();
    let rawBody = "";
    req.setEncoding("utf8");
    req.on("data", (piece: string) => (rawBody += piece));
    req.on("end", () => {
      const path = (req.url ?? "/").split("?")[0];
      if (path === "/v1/models" || path === "/models") {
        if (req.method !== "GET") return sendError(res, 405, "Method not allowed", "invalid_request_error");
        if (!authorized(req.headers)) return sendError(res, 401, "Incorrect API key provided", "invalid_request_error");
        const created = Math.floor(Date.now() / 1000);
        return sendJson(res, 200, {
          object: "list",
          data: models.map((id) => ({ id, object: "model", created, owned_by: "library" })),
        });
      }
      if (path !== "/v1/chat/completions" && path !== "/chat/completions") {
        return sendError(res, 404, `Unknown path ${path}`, "not_found_error");
      }
      if (req.method !== "POST") return sendError(res, 405, "Method not allowed", "invalid_request_error");
      const record: RecordedRequest = {
        index: requests.length,
        headers: req.headers,
        rawBody,
        body: undefined,
        stream: false,
        promptTokens: 0,
        lastUserMessage: "",
        lastMessage: undefined,
        status: 0,
        overContext: false,
        truncated: false,
        aborted: false,
        dropped: false,
        completed: false,
        receivedAt,
      };
      requests.push(record);
      open.add(res);
      res.on("finish", () => (record.completed = true));
      res.on("close", () => {
        open.delete(res);
        if (!res.writableFinished && !record.dropped && !closing.signal.aborted) record.aborted = true;
      });
      handleChat(record, res).catch((error: unknown) => {
        if (res.headersSent) res.destroy();
        else sendError(res, 500, `Fake model server failed: ${String(error)}`, "server_error", record);
      });
    });
  });
  // Idle connections stay open longer than Node's default 5 s, as with Ollama and vLLM: with 5 s the Worker can reuse
  // a pooled socket just as it closes, which shows as "Network connection lost" under load.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve);
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? "127.0.0.1";

  async function waitFor(condition: () => boolean, timeoutMs = 5000, description = "condition") {
    const deadline = performance.now() + timeoutMs;
    while (!condition()) {
      if (performance.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  return {
    url: `http://${host}:${address.port}/v1`,
    port: address.port,
    models,
    contextTokens: options.contextTokens,
    requests,
    timings,
    get activeStreams() {
      return open.size;
    },
    get overContextRequests() {
      return requests.filter((r) => r.overContext);
    },
    get maxPromptTokens() {
      return requests.reduce((max, r) => Math.max(max, r.promptTokens), 0);
    },
    enqueue: (...steps) => void queue.push(...steps),
    when(matcher, step, { once = false } = {}) {
      const rule = { matcher, step, once };
      rules.push(rule);
      return () => void (rules = rules.filter((r) => r !== rule));
    },
    async waitForRequests(count, timeoutMs = 5000) {
      await waitFor(() => requests.length >= count, timeoutMs, `${count} requests (have ${requests.length})`);
      return requests;
    },
    waitFor,
    reset() {
      requests.length = 0;
      timings.length = 0;
      queue = [];
      rules = [];
    },
    async close() {
      closing.abort();
      const ended = [...open].map((res) => new Promise((resolve) => res.once("close", resolve)));
      for (const res of open) res.destroy();
      await Promise.all(ended);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parseCliArgs(argv: string[]): ModelServerOptions {
  const options: ModelServerOptions = { port: 11434 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split("=", 2);
    const value = () => inline ?? argv[++i] ?? "";
    if (flag === "--port") options.port = Number(value());
    else if (flag === "--host") options.host = value();
    else if (flag === "--api-key") options.apiKey = value();
    else if (flag === "--model") options.model = value().split(",");
    else if (flag === "--context-tokens") options.contextTokens = Number(value());
    else if (flag === "--context-overflow") options.contextOverflow = value() as ModelServerOptions["contextOverflow"];
    else if (flag === "--reasoning-field") options.reasoningField = value() as ModelServerOptions["reasoningField"];
    else throw new Error(`Unknown option ${flag}`);
  }
  return options;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const server = await startModelServer(parseCliArgs(process.argv.slice(2)));
  console.log(`Fake model server (${server.models.join(", ")}) listening at ${server.url}`);
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => void server.close().then(() => process.exit(0)));
  }
}
