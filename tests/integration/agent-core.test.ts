import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { ChatSocket, parseSse, textOf, type UIChunk } from "../support/chat-socket.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { AgentMessageType, ChatMessageType } from "../../src/agent/wire.ts";
import { type ApiInit, apiRequest } from "../support/http.ts";

let stack: AgentStack;
let owner: TestUser;
let agentId: string;
const base = () => stack.worker.url;

function api<T = Record<string, unknown>>(user: TestUser, path: string, init: ApiInit = {}) {
  return apiRequest<T>(base(), user, path, init);
}

async function newThread(user = owner, agent = agentId): Promise<string> {
  const { status, body } = await api<{ id: string }>(user, `/api/agent/${agent}/threads`, { method: "POST" });
  expect(status).toBe(201);
  return body.id;
}

async function accountId(user: TestUser): Promise<string> {
  return (await api<{ accountId: string }>(user, "/api/credits")).body.accountId;
}

async function usageRows(user: TestUser) {
  const { body } = await api<{
    transactions: {
      kind: string;
      model: string | null;
      inputTokens: number | null;
      outputTokens: number | null;
      threadId: string | null;
      sandboxMs: number | null;
      amount: number;
    }[];
  }>(user, "/api/credits/transactions?kind=usage&limit=200");
  return body.transactions;
}

function order(chunks: UIChunk[]): string[] {
  return chunks
    .filter((c) => ["tool-input-available", "tool-output-available", "text-delta", "finish"].includes(c.type))
    .map((c) =>
      c.type === "tool-input-available"
        ? `call:${c.toolName}`
        : c.type === "tool-output-available"
          ? "result"
          : c.type === "text-delta"
            ? "text"
            : "finish",
    )
    .filter((step, i, all) => step !== "text" || all[i - 1] !== "text");
}

beforeAll(async () => {
  stack = await startAgentStack();
  owner = await signUpVerifiedUser(base());
  const { body } = await api<{ agents: { id: string }[] }>(owner, "/api/agent");
  agentId = body.agents[0]!.id;
}, 180_000);
afterAll(() => stack?.dispose());

describe("an agent turn with tools against the real Worker, sandboxd and the model server", () => {
  it("writes a file, cats it with exec and answers with the output, over SSE, with the charge in the ledger", async () => {
    const threadId = await newThread();
    stack.model.enqueue(
      {
        reasoning: "I will write the file first.",
        toolCalls: [{ name: "write_file", arguments: { path: "notes/hello.txt", content: "hi from the agent" } }],
      },
      { toolCalls: [{ name: "exec", arguments: { command: "cat notes/hello.txt" } }] },
    );
    const response = await fetch(`${base()}/api/agent/${agentId}/threads/${threadId}/messages`, {
      method: "POST",
      headers: owner.headers({ "content-type": "application/json" }),
      body: JSON.stringify({ text: "Write hello.txt and show it" }),
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const { chunks, done } = parseSse(await response.text());
    expect(done).toBe(true);
    expect(order(chunks)).toEqual(["call:write_file", "result", "call:exec", "result", "text", "finish"]);
    expect(chunks.some((c) => c.type === "reasoning-delta")).toBe(true);
    const execResult = chunks.filter((c) => c.type === "tool-output-available")[1]!.output as { stdout: string; exitCode: number };
    expect(execResult).toMatchObject({ exitCode: 0, stdout: "hi from the agent" });
    expect(textOf(chunks)).toContain("hi from the agent");
    const finish = chunks.filter((c) => c.type === "message-metadata").at(-1)!.messageMetadata as {
      credits: number;
      usage: { inputTokens: number };
    };
    expect(finish.credits).toBeGreaterThan(0);

    const file = await fetch(`${base()}/api/agent/${agentId}/files?path=notes/hello.txt`, { headers: owner.headers() });
    expect(await file.text()).toBe("hi from the agent");

    const usage = (await usageRows(owner)).filter((t) => t.threadId === threadId);
    const modelSteps = usage.filter((t) => t.model === "gpt-oss:20b" && (t.inputTokens ?? 0) > 0);
    expect(modelSteps).toHaveLength(3);
    expect(modelSteps.every((t) => (t.outputTokens ?? 0) > 0)).toBe(true);
    expect(usage.some((t) => (t.sandboxMs ?? -1) >= 0 && t.model === null)).toBe(true);
    const charged = -usage.reduce((sum, t) => sum + t.amount, 0);
    expect(charged).toBeCloseTo(finish.credits, 3);
  });

  it("streams the same turn over the WebSocket, in order, and keeps the history in the Durable Object", async () => {
    const threadId = await newThread();
    stack.model.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "echo socket-$((6*7))" } }] });
    const socket = await ChatSocket.open(`${base()}/ws/thread/${agentId}-${threadId}`, owner.headers());
    const requestId = socket.sendMessage("run it");
    const { chunks, error } = await socket.response(requestId);
    socket.close();
    expect(error).toBeUndefined();
    expect(order(chunks)).toEqual(["call:exec", "result", "text", "finish"]);
    expect(textOf(chunks)).toContain("socket-42");

    const { body } = await api<{ messages: { role: string; metadata?: { credits?: number } }[] }>(
      owner,
      `/api/agent/${agentId}/threads/${threadId}/messages`,
    );
    expect(body.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(body.messages[1]!.metadata?.credits).toBeGreaterThan(0);
  });

  it("answers JSON with the final text, tool calls and results, usage and credits", async () => {
    const threadId = await newThread();
    stack.model.enqueue({ toolCalls: [{ name: "run_code", arguments: { language: "python", code: "print(sum(range(10)))" } }] });
    const { status, body } = await api<{
      text: string;
      toolCalls: { name: string; output: { stdout: string } }[];
      usage: { inputTokens: number };
      credits: number;
    }>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: JSON.stringify({ text: "add up" }),
    });
    expect(status).toBe(200);
    expect(body.toolCalls).toHaveLength(1);
    expect(body.toolCalls[0]).toMatchObject({ name: "run_code" });
    expect(body.toolCalls[0]!.output.stdout.trim()).toBe("45");
    expect(body.text).toContain("45");
    expect(body.usage.inputTokens).toBeGreaterThan(0);
    expect(body.credits).toBeGreaterThan(0);
  });

  it("titles the thread from its first message, finds it by message text, and remembers notes in the prompt", async () => {
    const threadId = await newThread();
    stack.model.enqueue(
      { toolCalls: [{ name: "remember", arguments: { note: "The user's favourite colour is teal" } }] },
      { text: "Noted: teal." },
    );
    await api(owner, `/api/agent/${agentId}/threads/${threadId}/messages`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: JSON.stringify({ text: "Remember my favourite colour zebrafish-teal" }),
    });
    const thread = await api<{ title: string }>(owner, `/api/agent/${agentId}/threads/${threadId}`);
    expect(thread.body.title).toBe("Remember my favourite colour zebrafish-teal");
    const found = await api<{ threads: { id: string }[] }>(owner, `/api/agent/${agentId}/threads?q=zebrafish`);
    expect(found.body.threads.map((t) => t.id)).toEqual([threadId]);

    const notes = await api<{ notes: { text: string }[] }>(owner, `/api/agent/${agentId}/memory`);
    expect(notes.body.notes.map((n) => n.text)).toContain("The user's favourite colour is teal");
    const next = await newThread();
    const before = stack.model.requests.length;
    await api(owner, `/api/agent/${agentId}/threads/${next}/messages`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: JSON.stringify({ text: "hi" }),
    });
    const system = JSON.stringify(stack.model.requests[before]!.body!.messages[0]);
    expect(system).toContain("favourite colour is teal");
  });
});

describe("sandbox compute in the ledger", () => {
  const exec = (command: string) =>
    api<{ exitCode: number; durationMs: number; cpuMs?: number }>(owner, `/api/agent/${agentId}/exec`, {
      method: "POST",
      body: JSON.stringify({ command }),
    });

  it("bills an exec for the CPU time sandboxd measured in its cgroup, not for the time it waited", async () => {
    const waited = await exec("sleep 1.5");
    expect(waited.body.exitCode).toBe(0);
    expect(waited.body.durationMs).toBeGreaterThanOrEqual(1500);
    const [waitRow] = await usageRows(owner);
    expect(waitRow!.sandboxMs).toBe(waited.body.cpuMs);
    expect(waitRow!.sandboxMs).toBeLessThan(100);

    const busy = await exec("python3 -c 'import time\nt = time.process_time()\nwhile time.process_time() - t < 0.6: pass'");
    expect(busy.body.exitCode).toBe(0);
    const [busyRow] = await usageRows(owner);
    expect(busyRow!.sandboxMs).toBe(busy.body.cpuMs);
    expect(busyRow!.sandboxMs).toBeGreaterThanOrEqual(600);
    // 0.2 credits per CPU-minute, rounded up to a whole milli-credit.
    expect(-busyRow!.amount).toBeCloseTo(Math.ceil((busy.body.cpuMs! * 200) / 60_000) / 1000, 6);
  });
});

describe("when things go wrong", () => {
  it("repairs almost-JSON tool arguments and reports unusable ones to the model without crashing the turn", async () => {
    const threadId = await newThread();
    stack.model.enqueue(
      { toolCalls: [{ name: "exec", rawArguments: '```json\n{"command": "echo repaired",}\n```' }] },
      { toolCalls: [{ name: "exec", rawArguments: "{not json at all" }] },
      { text: "I could not call the tool, sorry." },
    );
    const { status, body } = await api<{
      text: string;
      toolCalls: { name: string; output?: { stdout?: string }; error?: string; state: string }[];
    }>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: JSON.stringify({ text: "try tools" }),
    });
    expect(status).toBe(200);
    expect(body.toolCalls[0]).toMatchObject({ name: "exec", state: "output-available" });
    expect(body.toolCalls[0]!.output?.stdout).toBe("repaired\n");
    expect(body.toolCalls[1]!.state).toBe("output-error");
    expect(body.text).toBe("I could not call the tool, sorry.");
    const repairRequest = stack.model.requests.at(-1)!;
    expect(JSON.stringify(repairRequest.body!.messages)).toMatch(/Invalid input|JSON/i);
  });

  it("stops a turn: the model request is aborted and the running command is killed", async () => {
    const threadId = await newThread();
    stack.model.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "sleep 120 # stop-me" } }] });
    const socket = await ChatSocket.open(`${base()}/ws/thread/${agentId}-${threadId}`, owner.headers());
    const requestId = socket.sendMessage("run something long");
    await socket.waitFor(
      (f) =>
        f.type === ChatMessageType.CF_AGENT_USE_CHAT_RESPONSE && f.id === requestId && (f.body ?? "").includes('"tool-input-available"'),
      20_000,
      "the exec call",
    );
    const stop = await api(owner, `/api/agent/${agentId}/threads/${threadId}/stop`, { method: "POST" });
    expect(stop.status).toBe(200);
    await socket.waitFor(
      (f) => f.type === ChatMessageType.CF_AGENT_USE_CHAT_RESPONSE && f.id === requestId && Boolean(f.done || f.error),
      20_000,
      "the end of the stopped turn",
    );
    socket.close();
    const ps = await api<{ stdout: string }>(owner, `/api/agent/${agentId}/exec`, {
      method: "POST",
      body: JSON.stringify({ command: "ps -eo args" }),
    });
    expect(ps.body.stdout).not.toContain("stop-me");

    const threadId2 = await newThread();
    stack.model.enqueue({ stall: true });
    const before = stack.model.requests.length;
    const turn = fetch(`${base()}/api/agent/${agentId}/threads/${threadId2}/messages`, {
      method: "POST",
      headers: owner.headers({ "content-type": "application/json" }),
      body: JSON.stringify({ text: "think forever" }),
    });
    await stack.model.waitForRequests(before + 1, 20_000);
    await api(owner, `/api/agent/${agentId}/threads/${threadId2}/stop`, { method: "POST" });
    await stack.model.waitFor(() => stack.model.requests[before]!.aborted, 10_000, "the model request to be aborted");
    const { done } = parseSse(await (await turn).text());
    expect(done).toBe(true);
  });

  it("says which model endpoint failed, charges nothing, and lets the user retry", async () => {
    const threadId = await newThread();
    stack.model.enqueue(
      { error: { status: 500, message: "model crashed" } },
      { error: { status: 500, message: "model crashed" } },
      { error: { status: 500, message: "model crashed" } },
    );
    const usageBefore = (await usageRows(owner)).length;
    const failed = await api<{ error?: string }>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: JSON.stringify({ text: "hello?" }),
    });
    expect(failed.body.error).toContain(stack.model.url);
    expect(failed.body.error).toMatch(/Nothing was charged/);
    expect((await usageRows(owner)).length).toBe(usageBefore);
    const credits = await api<{ reserved: number }>(owner, "/api/credits");
    expect(credits.body.reserved).toBe(0);

    const retried = await api<{ text: string }>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: JSON.stringify({ text: "hello again" }),
    });
    expect(retried.body.text).toBe("Echo: hello again");
  });

  it("refuses a turn at zero balance with 402, a clear message, and no request to the model", async () => {
    const poor = await signUpVerifiedUser(base());
    const { body } = await api<{ agents: { id: string }[] }>(poor, "/api/agent");
    const poorAgent = body.agents[0]!.id;
    const threadId = await newThread(poor, poorAgent);
    const account = await accountId(poor);
    const spend = await fetch(`${base()}/api/test/ledger`, {
      method: "POST",
      body: JSON.stringify({ action: "spend", accountId: account, maxCost: 50_000, actualCost: 50_000 }),
    });
    expect(spend.status).toBe(200);

    const before = stack.model.requests.length;
    const refused = await api<{ error: { code: string; message: string; buyUrl: string } }>(
      poor,
      `/api/agent/${poorAgent}/threads/${threadId}/messages`,
      {
        method: "POST",
        body: JSON.stringify({ text: "please work" }),
      },
    );
    expect(refused.status).toBe(402);
    expect(refused.body.error).toMatchObject({ code: "insufficient_credits", buyUrl: "/billing" });
    expect(refused.body.error.message).toMatch(/out of credits/i);

    const socket = await ChatSocket.open(`${base()}/ws/thread/${poorAgent}-${threadId}`, poor.headers());
    const requestId = socket.sendMessage("and over the socket?");
    const { chunks } = await socket.response(requestId);
    socket.close();
    expect(textOf(chunks)).toMatch(/out of credits/i);
    expect(stack.model.requests.length).toBe(before);
  });
});

describe("who may use an agent", () => {
  it("answers 404 to another user for every agent route and refuses their WebSockets", async () => {
    const threadId = await newThread();
    const stranger = await signUpVerifiedUser(base());
    const routes: [string, string, object?][] = [
      ["GET", `/api/agent/${agentId}`],
      ["PATCH", `/api/agent/${agentId}`, { name: "mine now" }],
      ["DELETE", `/api/agent/${agentId}`],
      ["GET", `/api/agent/${agentId}/threads`],
      ["POST", `/api/agent/${agentId}/threads`, {}],
      ["GET", `/api/agent/${agentId}/threads/${threadId}`],
      ["PATCH", `/api/agent/${agentId}/threads/${threadId}`, { title: "x" }],
      ["DELETE", `/api/agent/${agentId}/threads/${threadId}`],
      ["GET", `/api/agent/${agentId}/threads/${threadId}/messages`],
      ["POST", `/api/agent/${agentId}/threads/${threadId}/messages`, { text: "hi" }],
      ["POST", `/api/agent/${agentId}/threads/${threadId}/stop`, {}],
      ["POST", `/api/agent/${agentId}/exec`, { command: "id" }],
      ["POST", `/api/agent/${agentId}/code`, { language: "python", code: "print(1)" }],
      ["GET", `/api/agent/${agentId}/files?path=.`],
      ["PUT", `/api/agent/${agentId}/files?path=x.txt`, {}],
      ["DELETE", `/api/agent/${agentId}/files?path=x.txt`],
      ["POST", `/api/agent/${agentId}/files/mkdir`, { path: "d" }],
      ["POST", `/api/agent/${agentId}/files/move`, { from: "a", to: "b" }],
      ["GET", `/api/agent/${agentId}/processes`],
      ["POST", `/api/agent/${agentId}/processes`, { command: "sleep 1" }],
      ["GET", `/api/agent/${agentId}/processes/p1`],
      ["DELETE", `/api/agent/${agentId}/processes/p1`],
      ["GET", `/api/agent/${agentId}/processes/p1/logs`],
      ["POST", `/api/agent/${agentId}/git/clone`, { url: "https://example.com/x.git" }],
      ["GET", `/api/agent/${agentId}/git/status`],
      ["GET", `/api/agent/${agentId}/git/diff`],
      ["POST", `/api/agent/${agentId}/git/commit`, { message: "m" }],
      ["GET", `/api/agent/${agentId}/memory`],
      ["POST", `/api/agent/${agentId}/memory`, { text: "n" }],
      ["PATCH", `/api/agent/${agentId}/memory/n1`, { text: "n" }],
      ["DELETE", `/api/agent/${agentId}/memory/n1`],
      ["GET", `/api/agent/${agentId}/usage`],
    ];
    const statuses = await Promise.all(
      routes.map(
        async ([method, path, body]) =>
          `${method} ${path} ${(await api(stranger, path, { method, ...(body && { body: JSON.stringify(body) }) })).status}`,
      ),
    );
    expect(statuses.filter((s) => !s.endsWith(" 404"))).toEqual([]);

    for (const path of [`/ws/agent/${agentId}`, `/ws/thread/${agentId}-${threadId}`]) {
      await expect(ChatSocket.open(`${base()}${path}`, stranger.headers())).rejects.toThrow();
      const http = await fetch(`${base()}${path}`, { headers: stranger.headers() });
      expect(http.status, path).toBe(404);
      const anonymous = await fetch(`${base()}${path}`);
      expect(anonymous.status, path).toBe(401);
    }
    const still = await api<{ name: string }>(owner, `/api/agent/${agentId}`);
    expect(still.body.name).toBe("My agent");
  });

  it("pushes the thread list to every connected client of the agent, so two tabs agree", async () => {
    const tabA = await ChatSocket.open(`${base()}/ws/agent/${agentId}`, owner.headers());
    const tabB = await ChatSocket.open(`${base()}/ws/agent/${agentId}`, owner.headers());
    const { body } = await api<{ id: string }>(owner, `/api/agent/${agentId}/threads`, {
      method: "POST",
      body: JSON.stringify({ title: "Shared plans" }),
    });
    const hasThread = (f: { type: string; state?: unknown }) =>
      f.type === AgentMessageType.CF_AGENT_STATE && JSON.stringify(f.state ?? "").includes(body.id);
    await tabA.waitFor(hasThread, 10_000, "the new thread in tab A");
    await tabB.waitFor(hasThread, 10_000, "the new thread in tab B");
    tabA.close();
    tabB.close();
  });
});
