import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { ChatSocket } from "../support/chat-socket.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { AgentMessageType } from "../../src/agent/wire.ts";
import { type ApiInit, apiRequest } from "../support/http.ts";

let stack: AgentStack;
let owner: TestUser;
let agentId: string;
const base = () => stack.worker.url;

interface Task {
  id: string;
  threadId: string;
  status: string;
  endReason: string | null;
  stepsUsed: number;
  stepBudget: number;
  creditsUsed: number;
  creditBudget: number;
  report: { summary: string; filesChanged: string[]; left: string } | null;
}

interface StoredMessage {
  role: string;
  parts: { type: string; text?: string; output?: unknown }[];
}

function api<T>(user: TestUser, path: string, init: ApiInit = {}) {
  return apiRequest<T>(base(), user, path, init);
}

async function defaultAgent(user: TestUser): Promise<string> {
  return (await api<{ agents: { id: string }[] }>(user, "/api/agent")).body.agents[0]!.id;
}

async function startTask(user: TestUser, agent: string, body: Record<string, unknown>): Promise<Task> {
  const { status, body: task } = await api<Task>(user, `/api/agent/${agent}/tasks`, { method: "POST", body: JSON.stringify(body) });
  expect(status).toBe(201);
  return task;
}

/** Polls the task (which also wakes the agent after a restart) until it has ended. */
async function taskEnded(user: TestUser, agent: string, id: string, timeoutMs = 90_000): Promise<Task> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${base()}/api/agent/${agent}/tasks/${id}`, { headers: user.headers() }).catch(() => null);
    if (response?.ok) {
      const task = (await response.json()) as Task;
      if (task.status !== "running") return task;
    }
    if (Date.now() > deadline) throw new Error(`task ${id} still running after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function threadMessages(user: TestUser, agent: string, threadId: string): Promise<StoredMessage[]> {
  return (await api<{ messages: StoredMessage[] }>(user, `/api/agent/${agent}/threads/${threadId}/messages`)).body.messages;
}

const textOf = (m: StoredMessage) => m.parts.map((p) => p.text ?? "").join("");

beforeAll(async () => {
  stack = await startAgentStack();
  owner = await signUpVerifiedUser(base());
  agentId = await defaultAgent(owner);
}, 180_000);
afterAll(() => stack?.dispose());
beforeEach(() => stack.model.reset());

describe("an autonomous task", () => {
  it("runs several tool steps to its report with nobody connected, and after a SIGKILL mid-step continues from its checkpoint and finishes once", async () => {
    stack.model.enqueue(
      { toolCalls: [{ name: "exec", arguments: { command: "echo one >> progress.txt" } }] },
      { toolCalls: [{ name: "write_file", arguments: { path: "notes/result.md", content: "# Result\n" } }] },
      { text: "thinking very slowly ", chunkSize: 2, delayMsBetweenChunks: 2_000 },
      { toolCalls: [{ name: "exec", arguments: { command: "echo two >> progress.txt" } }] },
      { text: "REPORT: wrote progress.txt and notes/result.md. Nothing is left." },
    );
    const task = await startTask(owner, agentId, {
      goal: "Write the progress file and the result notes",
      stepBudget: 10,
      creditBudget: 20,
    });
    expect(task).toMatchObject({ status: "running", stepsUsed: 0, stepBudget: 10, creditBudget: 20 });

    await stack.model.waitForRequests(3, 60_000);
    await stack.worker.kill();
    await stack.worker.restart();

    const ended = await taskEnded(owner, agentId, task.id);
    expect(ended).toMatchObject({ status: "completed", endReason: "done", stepsUsed: 4 });
    expect(ended.report!.summary).toContain("REPORT: wrote progress.txt");
    expect(ended.report!.filesChanged).toEqual(["notes/result.md"]);
    expect(ended.creditsUsed).toBeGreaterThan(0);

    const progress = await api<string>(owner, `/api/agent/${agentId}/files?path=progress.txt`);
    expect(progress.body).toBe("one\ntwo\n");
    const messages = await threadMessages(owner, agentId, ended.threadId);
    expect(messages.filter((m) => m.role === "user")).toHaveLength(1);
    expect(messages.filter((m) => textOf(m).includes("REPORT:"))).toHaveLength(1);
    expect(messages.filter((m) => textOf(m).includes("The task continues from its last checkpoint"))).toHaveLength(1);
    // Five scripted answers, each asked for once: nothing was repeated after the restart.
    expect(stack.model.requests).toHaveLength(5);

    const mail = await api<{ messages: { subject: string; text: string }[] }>(
      owner,
      `/api/dev/mailbox?to=${encodeURIComponent(owner.email)}`,
    );
    const notices = mail.body.messages.filter((m) => m.subject.startsWith("Task finished"));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.text).toContain("REPORT: wrote progress.txt");
  }, 240_000);

  it("stops at its credit budget with a clear final message, and its credits match the ledger", async () => {
    stack.model.enqueue(
      ...Array.from({ length: 30 }, (_, i) => ({ toolCalls: [{ name: "exec", arguments: { command: `echo step ${i}` } }] })),
    );
    const task = await startTask(owner, agentId, { goal: "Count for a long time", stepBudget: 100, creditBudget: 5 });
    const ended = await taskEnded(owner, agentId, task.id);
    expect(ended).toMatchObject({ status: "stopped", endReason: "credit_budget" });
    expect(ended.stepsUsed).toBeGreaterThan(0);
    expect(ended.stepsUsed).toBeLessThan(30);
    expect(ended.creditsUsed).toBeLessThanOrEqual(5);
    expect(ended.report!.summary).toMatch(/credit budget of 5 credits/);

    const messages = await threadMessages(owner, agentId, ended.threadId);
    expect(textOf(messages.at(-1)!)).toMatch(/stopped at its credit budget of 5 credits/);

    const { body } = await api<{ transactions: { threadId: string | null; amount: number }[] }>(
      owner,
      "/api/credits/transactions?kind=usage&limit=200",
    );
    const charged = body.transactions.filter((t) => t.threadId === ended.threadId).reduce((sum, t) => sum - t.amount, 0);
    expect(charged).toBeCloseTo(ended.creditsUsed, 3);
  }, 180_000);

  it("stops when its owner stops it, aborting the step in flight", async () => {
    stack.model.enqueue({ stall: true });
    const task = await startTask(owner, agentId, { goal: "Wait for ever", stepBudget: 5 });
    await stack.model.waitForRequests(1, 30_000);
    const { status, body } = await api<Task>(owner, `/api/agent/${agentId}/tasks/${task.id}`, { method: "DELETE" });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "stopped", endReason: "stopped" });
    await stack.model.waitFor(() => stack.model.activeStreams === 0, 20_000, "the stalled step to be aborted");
    const deadline = Date.now() + 20_000;
    let messages = await threadMessages(owner, agentId, task.threadId);
    while (!messages.some((m) => textOf(m).includes("stopped by its owner")) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      messages = await threadMessages(owner, agentId, task.threadId);
    }
    expect(messages.some((m) => textOf(m).includes("stopped by its owner"))).toBe(true);
    const listed = await api<{ tasks: Task[] }>(owner, `/api/agent/${agentId}/tasks`);
    expect(listed.body.tasks.find((t) => t.id === task.id)).toMatchObject({ status: "stopped" });
  }, 120_000);

  it("stops when the account has no credits left, says so, and spends nothing", async () => {
    const broke = await signUpVerifiedUser(base());
    const brokeAgent = await defaultAgent(broke);
    const accountId = (await api<{ accountId: string }>(broke, "/api/credits")).body.accountId;
    const spend = await fetch(`${base()}/api/test/ledger`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ action: "spend", accountId, maxCost: 50_000, actualCost: 50_000 }),
    });
    expect(spend.status).toBe(200);
    const task = await startTask(broke, brokeAgent, { goal: "Do something expensive" });
    const ended = await taskEnded(broke, brokeAgent, task.id);
    expect(ended).toMatchObject({ status: "stopped", endReason: "no_credits", stepsUsed: 0, creditsUsed: 0 });
    const messages = await threadMessages(broke, brokeAgent, ended.threadId);
    expect(messages.map(textOf).join("\n")).toMatch(/no credits left/);
    expect(stack.model.requests).toHaveLength(0);
  }, 120_000);

  it("pushes its progress live to the agent's connected clients, step by step, until its report", async () => {
    const socket = await ChatSocket.open(`${base()}/ws/agent/${agentId}`, owner.headers());
    try {
      stack.model.enqueue(
        { toolCalls: [{ name: "exec", arguments: { command: "echo a" } }] },
        { toolCalls: [{ name: "exec", arguments: { command: "echo b" } }] },
        { text: "Done: echoed a and b." },
      );
      const task = await startTask(owner, agentId, { goal: "Echo twice", stepBudget: 5 });
      const progress = (steps: number, status: string) => (f: { type: string; state?: unknown }) =>
        f.type === AgentMessageType.CF_AGENT_STATE &&
        ((f.state as { tasks?: Task[] } | undefined)?.tasks ?? []).some(
          (t) => t.id === task.id && t.stepsUsed === steps && t.status === status,
        );
      await socket.waitFor(progress(1, "running"), 30_000, "the first step's checkpoint");
      await socket.waitFor(progress(2, "running"), 30_000, "the second step's checkpoint");
      await socket.waitFor(progress(3, "completed"), 30_000, "the finished task");
    } finally {
      socket.close();
    }
  }, 120_000);

  it("answers 404 for another user's task and refuses an empty goal", async () => {
    const task = await startTask(owner, agentId, { goal: "Say hello", stepBudget: 1 });
    const stranger = await signUpVerifiedUser(base());
    expect((await api(stranger, `/api/agent/${agentId}/tasks/${task.id}`)).status).toBe(404);
    expect((await api(owner, `/api/agent/${agentId}/tasks/nosuchtask00`)).status).toBe(404);
    expect((await api(owner, `/api/agent/${agentId}/tasks`, { method: "POST", body: JSON.stringify({ goal: " " }) })).status).toBe(400);
    await taskEnded(owner, agentId, task.id);
  }, 60_000);
});
