import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { type ApiInit, apiRequest, createApiKey } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

/*
 * The OpenAI-compatible API (/v1) driven by the official `openai` npm client, against the real Worker, sandboxd and
 * the scripted model server, as any OpenAI-speaking tool would use it.
 */

let stack: AgentStack;
let owner: TestUser;
let agentId: string;
let client: OpenAI;
const base = () => stack.worker.url;

function api<T = Record<string, unknown>>(user: TestUser, path: string, init: ApiInit = {}) {
  return apiRequest<T>(base(), user, path, init);
}

const apiKeyOf = (user: TestUser) => createApiKey(base(), user, "openai client");

function clientFor(apiKey: string): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${base()}/v1`, maxRetries: 0, timeout: 120_000 });
}

async function firstAgent(user: TestUser): Promise<string> {
  return (await api<{ agents: { id: string }[] }>(user, "/api/agent")).body.agents[0]!.id;
}

async function threadMessages(threadId: string) {
  const { body } = await api<{ messages: { role: string; parts: { type: string; text?: string }[] }[] }>(
    owner,
    `/api/agent/${agentId}/threads/${threadId}/messages`,
  );
  return body.messages.map((m) => `${m.role}: ${m.parts.map((p) => (p.type === "text" ? p.text : "")).join("")}`);
}

async function ownerThreads(): Promise<number> {
  return (await api<{ threads: unknown[] }>(owner, `/api/agent/${agentId}/threads`)).body.threads.length;
}

beforeAll(async () => {
  stack = await startAgentStack();
  owner = await signUpVerifiedUser(base());
  agentId = await firstAgent(owner);
  client = clientFor(await apiKeyOf(owner));
}, 180_000);
afterAll(() => stack?.dispose());

describe("the OpenAI-compatible API with the official openai client", () => {
  it("lists the caller's agents as models named agent/<agentId>", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.map((m) => m.id)).toEqual([`agent/${agentId}`]);
    expect(models[0]).toMatchObject({ object: "model" });
  });

  it("runs a non-streaming completion as a turn in a new thread, with usage and the thread id", async () => {
    const { data, response } = await client.chat.completions
      .create({ model: `agent/${agentId}`, messages: [{ role: "user", content: "hello over openai" }] })
      .withResponse();
    expect(data.object).toBe("chat.completion");
    expect(data.choices[0]!.message).toMatchObject({ role: "assistant", content: "Echo: hello over openai" });
    expect(data.choices[0]!.finish_reason).toBe("stop");
    expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(data.usage!.completion_tokens).toBeGreaterThan(0);
    expect(data.usage!.total_tokens).toBe(data.usage!.prompt_tokens + data.usage!.completion_tokens);
    const threadId = response.headers.get("x-thread-id")!;
    expect(threadId).toMatch(/^[a-z0-9]{12}$/);
    expect(await threadMessages(threadId)).toEqual(["user: hello over openai", "assistant: Echo: hello over openai"]);
    expect((data as unknown as { netm8: { credits: number } }).netm8.credits).toBeGreaterThan(0);
  });

  it("streams a completion as standard chunks ending in stop and usage", async () => {
    const stream = await client.chat.completions.create({
      model: `agent/${agentId}`,
      messages: [{ role: "user", content: "stream this please" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    const finishReasons: string[] = [];
    let usage: OpenAI.CompletionUsage | null | undefined;
    let contentChunks = 0;
    for await (const chunk of stream) {
      expect(chunk.object).toBe("chat.completion.chunk");
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        text += choice.delta.content;
        contentChunks++;
      }
      if (choice?.finish_reason) finishReasons.push(choice.finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("Echo: stream this please");
    expect(contentChunks).toBeGreaterThan(1);
    expect(finishReasons).toEqual(["stop"]);
    expect(usage!.prompt_tokens).toBeGreaterThan(0);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
  });

  it("runs the agent's tools on the server in a tool-using turn", async () => {
    stack.model.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "echo openai-$((6*7))" } }] });
    const completion = await client.chat.completions.create({
      model: `agent/${agentId}`,
      messages: [{ role: "user", content: "run it" }],
    });
    expect(completion.choices[0]!.message.content).toContain("openai-42");
    expect(completion.choices[0]!.message.tool_calls ?? []).toEqual([]);
    const netm8 = (completion as unknown as { netm8: { tool_calls: string[] } }).netm8;
    expect(netm8.tool_calls).toEqual(["exec"]);
  });

  it("starts a new thread from the earlier messages, and continues a named thread", async () => {
    const first = await client.chat.completions
      .create({
        model: `agent/${agentId}`,
        messages: [
          { role: "system", content: "Answer briefly." },
          { role: "user", content: "My name is Ada." },
          { role: "assistant", content: "Hello Ada." },
          { role: "user", content: "What is my name?" },
        ],
      })
      .withResponse();
    const threadId = first.response.headers.get("x-thread-id")!;
    const sent = JSON.stringify(stack.model.requests.at(-1)!.body!.messages);
    expect(sent).toContain("My name is Ada.");
    expect(sent).toContain("Hello Ada.");
    expect(sent).toContain("Answer briefly.");

    await client.chat.completions.create({
      model: `agent/${agentId}`,
      messages: [{ role: "user", content: "And again?" }],
      // @ts-expect-error: netM8's own field, beside OpenAI's
      thread: threadId,
    });
    const history = await threadMessages(threadId);
    expect(history.slice(-4)).toEqual([
      "user: What is my name?",
      "assistant: Echo: What is my name?",
      "user: And again?",
      "assistant: Echo: And again?",
    ]);
  });

  it("answers 402 insufficient_quota to an account without credits, and asks the model nothing", async () => {
    const poor = await signUpVerifiedUser(base());
    const poorAgent = await firstAgent(poor);
    const account = (await api<{ accountId: string }>(poor, "/api/credits")).body.accountId;
    const spend = await fetch(`${base()}/api/test/ledger`, {
      method: "POST",
      body: JSON.stringify({ action: "spend", accountId: account, maxCost: 50_000, actualCost: 50_000 }),
    });
    expect(spend.status).toBe(200);
    const before = stack.model.requests.length;
    const error = await clientFor(await apiKeyOf(poor))
      .chat.completions.create({ model: `agent/${poorAgent}`, messages: [{ role: "user", content: "please work" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status: 402, code: "insufficient_quota", type: "insufficient_quota" });
    expect((error as Error).message).toMatch(/out of credits/i);
    expect(stack.model.requests.length).toBe(before);
    const threads = await api<{ threads: unknown[] }>(poor, `/api/agent/${poorAgent}/threads`);
    expect(threads.body.threads).toEqual([]);
  });

  it("answers 404 for another account's agent and an unknown model, 401 for a bad key, in OpenAI's error shape", async () => {
    const stranger = await signUpVerifiedUser(base());
    const theirs = clientFor(await apiKeyOf(stranger));
    const before = stack.model.requests.length;
    const threadsBefore = await ownerThreads();
    const notFound = await theirs.chat.completions
      .create({ model: `agent/${agentId}`, messages: [{ role: "user", content: "let me in" }] })
      .catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(OpenAI.NotFoundError);
    const unknown = await theirs.chat.completions
      .create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] })
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    const models = [];
    for await (const model of theirs.models.list()) models.push(model.id);
    expect(models).not.toContain(`agent/${agentId}`);

    const bad = await clientFor("nm8_not-a-real-key")
      .models.list()
      .catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(bad).toMatchObject({ status: 401, type: "authentication_error" });
    expect(stack.model.requests.length).toBe(before);
    expect(await ownerThreads()).toBe(threadsBefore);
  });
});
