import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { APICallError, generateText, isStepCount, streamText, tool, type TextStreamPart, type ToolSet } from "ai";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { startModelServer, type FakeModelServer } from "../../fakes/model-server.ts";

let server: FakeModelServer;

function modelFor(target: FakeModelServer, options: { apiKey?: string } = {}) {
  return createOpenAICompatible({ name: "ollama", baseURL: target.url, includeUsage: true, ...options })("gpt-oss:20b");
}

async function collect<T extends ToolSet>(stream: AsyncIterable<TextStreamPart<T>>): Promise<TextStreamPart<T>[]> {
  const parts: TextStreamPart<T>[] = [];
  for await (const part of stream) parts.push(part);
  return parts;
}

function errorsIn(parts: TextStreamPart<ToolSet>[]): unknown[] {
  return parts.flatMap((part) => (part.type === "error" ? [part.error] : []));
}

/** A broken connection can end the SDK's stream by throwing rather than with an error part; both count. */
async function errorsOf(stream: AsyncIterable<TextStreamPart<ToolSet>>): Promise<unknown[]> {
  const parts: TextStreamPart<ToolSet>[] = [];
  try {
    for await (const part of stream) parts.push(part);
    return errorsIn(parts);
  } catch (error) {
    return [...errorsIn(parts), error];
  }
}

interface ErrorBody {
  error: { message: string };
}

interface CompletionBody {
  choices: { message: { content: string }; finish_reason: string }[];
}

async function caught(promise: PromiseLike<unknown>): Promise<unknown> {
  return Promise.resolve(promise).then(
    () => undefined,
    (error: unknown) => error,
  );
}

async function postChat(target: FakeModelServer, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${target.url}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

// The SDK logs stream errors to the console unless told otherwise; these tests assert on them instead.
const quiet = { onError: () => {} };

const hello = { model: "gpt-oss:20b", messages: [{ role: "user", content: "hello" }] };

beforeEach(async () => {
  server = await startModelServer();
});

afterEach(async () => {
  await server.close();
});

describe("fake model server: wire format", () => {
  it("lists the configured model at GET /v1/models", async () => {
    const response = await fetch(`${server.url}/models`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ object: "list", data: [{ id: "gpt-oss:20b", object: "model" }] });
  });

  it("frames a streamed completion as SSE data events ending with [DONE]", async () => {
    server.enqueue({
      reasoning: "think",
      text: "Hi there",
      toolCalls: [{ name: "write_file", arguments: { path: "a" } }],
    });
    const response = await postChat(server, { ...hello, stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    const raw = await response.text();
    expect(raw.endsWith("data: [DONE]\n\n")).toBe(true);
    const events = raw.split("\n\n").filter(Boolean);
    for (const event of events) expect(event).toMatch(/^data: /);
    const chunks = events.slice(0, -1).map((event) => JSON.parse(event.slice("data: ".length)));
    expect(new Set(chunks.map((c) => c.id)).size).toBe(1);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "gpt-oss:20b")).toBe(true);
    expect(chunks[0].choices[0].delta.role).toBe("assistant");
    const deltas = chunks.flatMap((c) => c.choices.map((choice: { delta: unknown }) => choice.delta));
    expect(deltas.map((d) => d.reasoning_content ?? "").join("")).toBe("think");
    expect(deltas.map((d) => d.content ?? "").join("")).toBe("Hi there");
    const toolDeltas: { index: number; id?: string; function: { name?: string; arguments: string } }[] = deltas.flatMap(
      (d) => d.tool_calls ?? [],
    );
    const [first, ...fragments] = toolDeltas;
    expect(first).toMatchObject({ index: 0, type: "function", function: { name: "write_file", arguments: "" } });
    expect(first!.id).toEqual(expect.any(String));
    expect(fragments.every((d) => d.index === 0 && !d.id && !d.function.name)).toBe(true);
    expect(toolDeltas.map((d) => d.function.arguments).join("")).toBe('{"path":"a"}');
    expect(chunks.at(-2).choices[0].finish_reason).toBe("tool_calls");
    const usageChunk = chunks.at(-1);
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage.total_tokens).toBe(usageChunk.usage.prompt_tokens + usageChunk.usage.completion_tokens);
  });

  it("answers stream: false with one JSON chat.completion", async () => {
    server.enqueue({ reasoning: "think", text: "Hi" });
    const response = await postChat(server, hello);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toMatchObject({
      object: "chat.completion",
      model: "gpt-oss:20b",
      choices: [{ index: 0, message: { role: "assistant", content: "Hi", reasoning_content: "think" }, finish_reason: "stop" }],
      usage: { prompt_tokens: server.requests[0]!.promptTokens },
    });
  });

  it("refuses malformed bodies with 400 and an OpenAI error body", async () => {
    const bodies = [
      "{not json",
      "[]",
      JSON.stringify({ model: "gpt-oss:20b" }),
      JSON.stringify({ ...hello, messages: [{ role: "robot", content: "x" }] }),
    ];
    for (const body of bodies) {
      const response = await postChat(server, body);
      expect(response.status).toBe(400);
      expect(((await response.json()) as ErrorBody).error.message).toEqual(expect.any(String));
    }
    expect(server.requests.map((r) => r.status)).toEqual([400, 400, 400, 400]);
  });

  it("answers 404 for an unknown model and an unknown path", async () => {
    const unknownModel = await postChat(server, { ...hello, model: "llama3" });
    expect(unknownModel.status).toBe(404);
    expect(((await unknownModel.json()) as ErrorBody).error.message).toContain("llama3");
    expect((await fetch(`${server.url}/embeddings`, { method: "POST", body: "{}" })).status).toBe(404);
  });

  it("cuts the output at max_tokens with finish_reason length", async () => {
    server.enqueue({ text: "x".repeat(400) });
    const body = (await (await postChat(server, { ...hello, max_tokens: 10 })).json()) as CompletionBody;
    expect(body.choices[0]!.finish_reason).toBe("length");
    expect(body.choices[0]!.message.content).toHaveLength(40);
  });
});

describe("fake model server: through the AI SDK", () => {
  it("streams text that arrives in order over several deltas", async () => {
    server.enqueue({ text: "The quick brown fox jumps over the lazy dog." });
    const deltas: string[] = [];
    for await (const delta of streamText({ model: modelFor(server), prompt: "hi" }).textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe("The quick brown fox jumps over the lazy dog.");
  });

  it("delivers gpt-oss reasoning_content as reasoning parts before the text", async () => {
    server.enqueue({ reasoning: "Let me think about it.", text: "Answer." });
    const result = streamText({ model: modelFor(server), prompt: "hi" });
    const types = (await collect(result.fullStream)).map((part) => part.type);
    expect(types.indexOf("reasoning-delta")).toBeGreaterThan(-1);
    expect(types.indexOf("reasoning-delta")).toBeLessThan(types.indexOf("text-delta"));
    expect(await result.reasoningText).toBe("Let me think about it.");
    expect(await result.text).toBe("Answer.");
  });

  it("delivers Ollama-style reasoning (the reasoning field) as reasoning too", async () => {
    const ollama = await startModelServer({ reasoningField: "reasoning" });
    try {
      ollama.enqueue({ reasoning: "Hmm.", text: "Ok." });
      const result = streamText({ model: modelFor(ollama), prompt: "hi" });
      expect(await result.reasoningText).toBe("Hmm.");
      expect(await result.text).toBe("Ok.");
    } finally {
      await ollama.close();
    }
  });

  it("streams a tool call whose JSON arguments the SDK parses", async () => {
    server.enqueue({
      reasoning: "I should write.",
      toolCalls: [{ name: "write_file", arguments: { path: "a.txt", content: "hi" } }],
    });
    const result = streamText({
      model: modelFor(server),
      prompt: "write a file",
      tools: {
        write_file: tool({
          description: "Write a file",
          inputSchema: z.object({ path: z.string(), content: z.string() }),
        }),
      },
    });
    const calls = await result.toolCalls;
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ toolName: "write_file", input: { path: "a.txt", content: "hi" } });
    expect(await result.finishReason).toBe("tool-calls");
    expect(server.requests[0]!.body!.tools).toHaveLength(1);
  });

  it("runs a tool round trip: the tool runs locally and its result reaches the second request", async () => {
    server.enqueue({ reasoning: "Need to list files.", toolCalls: [{ name: "exec", arguments: { command: "ls" } }] }, (request) => ({
      text: `Files: ${request.lastMessage?.content}`,
    }));
    const result = streamText({
      model: modelFor(server),
      prompt: "what files are there?",
      stopWhen: isStepCount(3),
      tools: {
        exec: tool({
          description: "Run a command",
          inputSchema: z.object({ command: z.string() }),
          execute: async ({ command }) => `ran ${command}: a.txt b.txt`,
        }),
      },
    });
    expect(await result.text).toBe("Files: ran ls: a.txt b.txt");
    expect(server.requests).toHaveLength(2);
    const second = server.requests[1]!.body!.messages;
    const assistant = second.find((m) => m.role === "assistant")!;
    expect(assistant.tool_calls![0]!.function).toEqual({ name: "exec", arguments: '{"command":"ls"}' });
    expect(assistant.reasoning_content).toBe("Need to list files.");
    expect(second.at(-1)).toMatchObject({
      role: "tool",
      tool_call_id: assistant.tool_calls![0]!.id,
      content: "ran ls: a.txt b.txt",
    });
  });

  it("reports malformed tool-call arguments so the caller can repair them", async () => {
    server.enqueue({ toolCalls: [{ name: "exec", rawArguments: "{not json" }] });
    const result = streamText({
      model: modelFor(server),
      prompt: "run",
      tools: {
        exec: tool({
          description: "Run",
          inputSchema: z.object({ command: z.string() }),
          execute: async () => "never",
        }),
      },
    });
    const parts = await collect(result.fullStream);
    const call = parts.find((part) => part.type === "tool-call");
    expect(call).toMatchObject({ toolName: "exec", invalid: true });
    expect(parts.some((part) => part.type === "tool-error")).toBe(true);
  });

  it("sends usage in the final chunk and the SDK reports it", async () => {
    server.enqueue({ text: "twelve chars" });
    const result = streamText({ model: modelFor(server), prompt: "count me" });
    const usage = await result.usage;
    const recorded = server.requests[0]!;
    expect(recorded.body!.stream_options).toEqual({ include_usage: true });
    expect(usage.inputTokens).toBe(recorded.promptTokens);
    expect(usage.outputTokens).toBe(3);
    expect(usage.totalTokens).toBe(recorded.promptTokens + 3);
  });

  it("answers generateText without streaming: text, reasoning and usage", async () => {
    server.enqueue({ reasoning: "Quick.", text: "Done." });
    const result = await generateText({ model: modelFor(server), prompt: "hi" });
    expect(result.text).toBe("Done.");
    expect(result.reasoningText).toBe("Quick.");
    expect(result.usage.outputTokens).toBe(3);
    expect(server.requests[0]!.stream).toBe(false);
  });

  it("surfaces a scripted 500 as an API error", async () => {
    server.enqueue({ error: { status: 500, message: "boom" } });
    const error = await caught(generateText({ model: modelFor(server), prompt: "hi", maxRetries: 0 }));
    expect(APICallError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ statusCode: 500, message: "boom" });

    server.enqueue({ error: { status: 500, message: "boom again" } });
    const streamed = streamText({ model: modelFor(server), prompt: "hi", maxRetries: 0, ...quiet });
    const parts = await collect(streamed.fullStream);
    expect(errorsIn(parts)[0]).toMatchObject({ statusCode: 500, message: "boom again" });
  });

  it("surfaces an error chunk sent mid-stream", async () => {
    server.enqueue({ text: "partial output", streamError: "the GPU fell over" });
    const parts = await collect(streamText({ model: modelFor(server), prompt: "hi", ...quiet }).fullStream);
    expect(errorsIn(parts)[0]).toMatchObject({ message: "the GPU fell over" });
  });

  it("lets the client abort a stalled stream and records the abort", async () => {
    server.enqueue({ stall: true });
    const controller = new AbortController();
    const result = streamText({ model: modelFor(server), prompt: "hi", abortSignal: controller.signal, ...quiet });
    const consumed = collect(result.fullStream);
    await server.waitFor(() => server.requests[0]?.status === 200, 5000, "the stalled stream to start");
    expect(server.activeStreams).toBe(1);
    controller.abort();
    const parts = await consumed;
    expect(parts.some((part) => part.type === "abort" || part.type === "error")).toBe(true);
    await server.waitFor(() => server.requests[0]!.aborted, 5000, "the abort to be recorded");
    expect(server.requests[0]!.completed).toBe(false);
    await server.waitFor(() => server.activeStreams === 0, 5000, "no active streams");
  });

  it("continues a stream after stallMs when the client waits", async () => {
    server.enqueue({ stallMs: 30, text: "late" });
    expect(await streamText({ model: modelFor(server), prompt: "hi" }).text).toBe("late");
  });

  it("surfaces a dropped stream as an error", async () => {
    server.enqueue({ text: "this stream will be cut before the end", dropAfterChunks: 3 });
    const errors = await errorsOf(streamText({ model: modelFor(server), prompt: "hi", ...quiet }).fullStream);
    expect(errors.length).toBeGreaterThan(0);
    expect(String((errors[0] as Error).cause)).toContain("terminated");
    expect(server.requests[0]).toMatchObject({ dropped: true, aborted: false, completed: false });
  });

  it("reports a malformed SSE chunk as an error", async () => {
    server.enqueue({ text: "ok", malformedChunk: true });
    const parts = await collect(streamText({ model: modelFor(server), prompt: "hi", ...quiet }).fullStream);
    expect(errorsIn(parts).length).toBeGreaterThan(0);
  });

  it("refuses a prompt over the context limit, naming the limit, and records it", async () => {
    const small = await startModelServer({ contextTokens: 100 });
    try {
      await generateText({ model: modelFor(small), prompt: "short" });
      const error = await caught(generateText({ model: modelFor(small), prompt: "x".repeat(1000), maxRetries: 0 }));
      expect(error).toMatchObject({ statusCode: 400 });
      expect((error as Error).message).toContain("maximum context length is 100 tokens");
      expect(small.overContextRequests).toHaveLength(1);
      expect(small.requests[0]!.promptTokens).toBeLessThanOrEqual(100);
      expect(small.maxPromptTokens).toBeGreaterThan(100);
    } finally {
      await small.close();
    }
  });

  it("answers an over-long prompt in Ollama mode but marks it truncated, honouring options.num_ctx", async () => {
    const ollama = await startModelServer({ contextTokens: 50, contextOverflow: "truncate" });
    try {
      const long = { ...hello, messages: [{ role: "user", content: "y".repeat(400) }] };
      expect((await postChat(ollama, long)).status).toBe(200);
      expect((await postChat(ollama, { ...long, options: { num_ctx: 32768 } })).status).toBe(200);
      expect(ollama.requests.map((r) => [r.contextLimit, r.truncated])).toEqual([
        [50, true],
        [32768, false],
      ]);
    } finally {
      await ollama.close();
    }
  });

  it("answers 401 when the API key differs and serves the right key", async () => {
    const guarded = await startModelServer({ apiKey: "sk-right" });
    try {
      const wrongKey = modelFor(guarded, { apiKey: "sk-wrong" });
      const error = await caught(generateText({ model: wrongKey, prompt: "hi", maxRetries: 0 }));
      expect(error).toMatchObject({ statusCode: 401 });
      expect((await fetch(`${guarded.url}/models`)).status).toBe(401);
      const ok = await generateText({ model: modelFor(guarded, { apiKey: "sk-right" }), prompt: "hi" });
      expect(ok.text).toBe("Echo: hi");
      expect(guarded.requests[1]!.headers.authorization).toBe("Bearer sk-right");
    } finally {
      await guarded.close();
    }
  });
});

describe("fake model server: scripting", () => {
  it("echoes the last user message in several chunks when nothing is scripted", async () => {
    const deltas: string[] = [];
    const result = streamText({ model: modelFor(server), prompt: "say it back" });
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.join("")).toBe("Echo: say it back");
    expect(deltas.length).toBeGreaterThan(1);
  });

  it("uses the defaultBehaviour option when nothing is queued", async () => {
    const custom = await startModelServer({
      defaultBehaviour: (request) => ({ text: `len ${request.lastUserMessage.length}` }),
    });
    try {
      expect((await generateText({ model: modelFor(custom), prompt: "abc" })).text).toBe("len 3");
    } finally {
      await custom.close();
    }
  });

  it("answers queued steps in order, one per request, then falls back to echo", async () => {
    server.enqueue({ text: "first" }, { text: "second" });
    const texts = [];
    for (const prompt of ["a", "b", "c"]) texts.push((await generateText({ model: modelFor(server), prompt })).text);
    expect(texts).toEqual(["first", "second", "Echo: c"]);
  });

  it("answers concurrent requests by content with rules", async () => {
    server.when({ lastUserMessageIncludes: "apple" }, { text: "fruit" });
    server.when(
      (request) => request.lastUserMessage.includes("carrot"),
      (request) => ({ text: `veg:${request.index}` }),
    );
    server.when({ lastUserMessageIncludes: "once" }, { text: "only once" }, { once: true });
    server.enqueue({ text: "queued" });
    const prompts = ["carrot", "apple", "apple pie", "once", "once"];
    const texts = await Promise.all(prompts.map((prompt) => streamText({ model: modelFor(server), prompt }).text));
    expect(texts[1]).toBe("fruit");
    expect(texts[2]).toBe("fruit");
    expect(texts[0]).toMatch(/^veg:\d$/);
    expect(texts.slice(3).sort()).toEqual(["only once", "queued"]);
  });

  it("removes a rule with the function when() returns, and reset() forgets everything", async () => {
    const remove = server.when({ lastUserMessageIncludes: "x" }, { text: "rule" });
    expect((await generateText({ model: modelFor(server), prompt: "x" })).text).toBe("rule");
    remove();
    expect((await generateText({ model: modelFor(server), prompt: "x" })).text).toBe("Echo: x");
    server.enqueue({ text: "stale" });
    server.reset();
    expect(server.requests).toHaveLength(0);
    expect((await generateText({ model: modelFor(server), prompt: "y" })).text).toBe("Echo: y");
  });

  it("needs no setup for an exec tool call and a final answer quoting the tool result", async () => {
    const result = streamText({
      model: modelFor(server),
      prompt: "please [[tool:exec:echo hello]]",
      stopWhen: isStepCount(3),
      tools: {
        exec: tool({
          description: "Run a command",
          inputSchema: z.object({ command: z.string() }),
          execute: async ({ command }) => ({ stdout: command.replace("echo ", ""), exitCode: 0 }),
        }),
      },
    });
    expect(await result.text).toBe('Tool result: {"stdout":"hello","exitCode":0}');
    expect((await result.steps)[0]!.toolCalls[0]).toMatchObject({ toolName: "exec", input: { command: "echo hello" } });
  });

  it("turns [[tool:<name>:<json>]] markers into parallel tool calls", async () => {
    const response = await postChat(server, {
      ...hello,
      messages: [{ role: "user", content: 'do [[tool:write_file:{"path":"a.txt"}]] then [[tool:exec:ls -la]]' }],
    });
    type ToolCallBody = { function: { name: string; arguments: string } };
    const body = (await response.json()) as {
      choices: { message: { tool_calls: ToolCallBody[] }; finish_reason: string }[];
    };
    expect(body.choices[0]!.finish_reason).toBe("tool_calls");
    expect(body.choices[0]!.message.tool_calls.map((call) => call.function)).toEqual([
      { name: "write_file", arguments: '{"path":"a.txt"}' },
      { name: "exec", arguments: '{"command":"ls -la"}' },
    ]);
  });

  it("waits for requests by polling and fails with a clear message at the deadline", async () => {
    const waiting = server.waitForRequests(2, 5000);
    const answers = ["1", "2"].map((prompt) => generateText({ model: modelFor(server), prompt }));
    expect(await waiting).toHaveLength(2);
    await Promise.all(answers);
    await expect(server.waitForRequests(3, 50)).rejects.toThrow(/Timed out after 50 ms/);
  });

  it("records the time to first content for each streamed response", async () => {
    server.enqueue({ text: "slow start", firstTokenDelayMs: 40, delayMsBetweenChunks: 2 });
    await streamText({ model: modelFor(server), prompt: "hi" }).text;
    expect(server.timings).toHaveLength(1);
    expect(server.timings[0]!.requestIndex).toBe(0);
    expect(server.timings[0]!.firstContentMs).toBeGreaterThanOrEqual(39);
    expect(server.timings[0]!.totalMs).toBeGreaterThanOrEqual(server.timings[0]!.firstContentMs);
  });

  it("ends active streams when closed", async () => {
    const closing = await startModelServer();
    closing.enqueue({ stall: true });
    const errors = errorsOf(streamText({ model: modelFor(closing), prompt: "hi", ...quiet }).fullStream);
    await closing.waitFor(() => closing.activeStreams === 1 && closing.requests[0]?.status === 200);
    await closing.close();
    expect((await errors).length).toBeGreaterThan(0);
    expect(closing.activeStreams).toBe(0);
    expect(closing.requests[0]!.aborted).toBe(false);
  });

  it("runs as a CLI that prints its URL and serves until stopped", async () => {
    const script = fileURLToPath(new URL("../../fakes/model-server.ts", import.meta.url));
    const child = spawn(process.execPath, [script, "--port", "0", "--model", "gpt-oss:20b,gpt-oss:120b"]);
    try {
      let output = "";
      child.stdout.setEncoding("utf8").on("data", (piece: string) => (output += piece));
      await server.waitFor(() => /http:\/\/\S+\/v1/.test(output), 10_000, "the CLI to print its URL");
      const url = /http:\/\/\S+\/v1/.exec(output)![0];
      const models = (await (await fetch(`${url}/models`)).json()) as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).toEqual(["gpt-oss:20b", "gpt-oss:120b"]);
    } finally {
      child.kill("SIGTERM");
      if (child.exitCode === null) await once(child, "exit");
    }
  });
});
