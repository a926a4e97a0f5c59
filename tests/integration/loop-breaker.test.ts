import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentApi, agentApi, type TaskJson as Task, taskOnceNot } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { signUpVerifiedUser } from "../support/users.ts";

// The loop breaker (src/agent/loop-breaker.ts): K identical tool calls or errors in a row pause the turn or the task,
// and what the repeats cost comes back as loop_refund ledger rows.

interface LedgerRow {
  kind: string;
  amount: number;
  threadId: string | null;
  inputTokens: number | null;
  sandboxMs: number | null;
  createdAt: string;
}

let stack: AgentStack;
let api: AgentApi;
let email: string;

const FAILING = "echo 'build failed: missing semicolon' >&2; exit 3";
const repeatCall = (command: string) => ({ toolCalls: [{ name: "exec", arguments: { command } }] });

async function ledgerRows(threadId: string): Promise<LedgerRow[]> {
  const { body } = await api.call<{ transactions: LedgerRow[] }>("/api/credits/transactions?limit=200");
  return body.transactions.filter((t) => t.threadId === threadId).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
}

const sum = (rows: LedgerRow[]) => rows.reduce((n, r) => n + Math.round(r.amount * 1000), 0);

beforeAll(async () => {
  stack = await startAgentStack();
  const user = await signUpVerifiedUser(stack.worker.url);
  email = user.email;
  api = await agentApi(stack.worker.url, user);
}, 180_000);
afterAll(() => stack?.dispose());
beforeEach(() => stack.model.reset());

describe("the loop breaker", () => {
  it("pauses a turn that repeats the same failing call K times, says why, and refunds every repeat exactly", async () => {
    stack.model.enqueue(...Array.from({ length: 8 }, () => repeatCall(FAILING)));
    const thread = await api.newThread();
    const before = await api.credits();

    const { status, body } = await api.turn(thread, "Build the project");
    expect(status).toBe(200);
    // The default K is 3: three model steps, then the pause instead of a fourth.
    expect(stack.model.requests).toHaveLength(3);
    expect(body.toolCalls).toHaveLength(3);
    expect(body.text).toContain("Paused: the agent made the same tool call 3 times in a row: exec(");
    expect(body.text).toContain("missing semicolon");
    expect(body.text).toContain("The 2 repeats were refunded");

    const rows = await ledgerRows(thread);
    const usage = rows.filter((r) => r.kind === "usage");
    const refunds = rows.filter((r) => r.kind === "loop_refund");
    const modelSteps = usage.filter((r) => r.inputTokens !== null);
    const sandboxRuns = usage.filter((r) => r.sandboxMs !== null);
    expect(modelSteps).toHaveLength(3);
    expect(sandboxRuns).toHaveLength(3);
    expect(refunds.length).toBeGreaterThan(0);
    // The first step (its model call, the smallest prompt, and its command, the first run) stays charged; the rest
    // comes back to the millicredit.
    const firstModelStep = [...modelSteps].sort((a, b) => a.inputTokens! - b.inputTokens!)[0]!;
    const firstRun = sandboxRuns[0]!;
    expect(sum(refunds)).toBe(-(sum(usage) - sum([firstModelStep, firstRun])));
    expect(sum(refunds)).toBeGreaterThan(0);

    // What the turn reports as charged is what left the balance, and the ledger still adds up.
    const after = await api.credits();
    expect(Math.round((before.balance - after.balance) * 1000)).toBe(Math.round(body.credits * 1000));
    expect(Math.round(body.credits * 1000)).toBe(-(sum(usage) + sum(refunds)));
    expect((await api.audit()).consistent).toBe(true);

    // The pause is in the stored history with its metadata, so a reload shows it.
    const stored = await api.call<{ messages: { role: string; metadata?: { loop?: Record<string, unknown> } }[] }>(
      `/api/agent/${api.agentId}/threads/${thread}/messages`,
    );
    const last = stored.body.messages.at(-1)!;
    expect(last.role).toBe("assistant");
    expect(last.metadata?.loop).toMatchObject({ kind: "same_call", repeats: 3 });

    // A new message from the user starts the watch afresh: one more call is not a loop.
    stack.model.reset();
    stack.model.enqueue(repeatCall(FAILING), { text: "I see the error now." });
    const next = await api.turn(thread, "Look at the error and fix it");
    expect(next.body.text).toBe("I see the error now.");
    expect((await ledgerRows(thread)).filter((r) => r.kind === "loop_refund")).toHaveLength(refunds.length);
  }, 120_000);

  it("pauses on the same error from different calls, and honours the agent's own limit", async () => {
    const bad = await api.call(`/api/agent/${api.agentId}`, { method: "PATCH", body: JSON.stringify({ loopLimit: 1 }) });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain("loopLimit");
    const patched = await api.call<{ loopLimit: number }>(`/api/agent/${api.agentId}`, {
      method: "PATCH",
      body: JSON.stringify({ loopLimit: 2 }),
    });
    expect(patched.body.loopLimit).toBe(2);

    stack.model.enqueue(...Array.from({ length: 6 }, (_, i) => repeatCall(`${FAILING} # attempt ${i}`)));
    const thread = await api.newThread();
    const { body } = await api.turn(thread, "Build it, whatever it takes");
    expect(stack.model.requests).toHaveLength(2);
    expect(body.text).toContain("Paused: the agent got the same error 2 times in a row: exec exited 3: build failed: missing semicolon");
    expect((await ledgerRows(thread)).filter((r) => r.kind === "loop_refund").length).toBeGreaterThan(0);
    expect((await api.audit()).consistent).toBe(true);

    await api.call(`/api/agent/${api.agentId}`, { method: "PATCH", body: JSON.stringify({ loopLimit: 3 }) });
  }, 120_000);

  it("pauses a task (its owner can resume it, which goes on from the thread) and refunds its repeats", async () => {
    stack.model.enqueue(...Array.from({ length: 3 }, () => repeatCall(FAILING)));
    const started = await api.call<Task>(`/api/agent/${api.agentId}/tasks`, {
      method: "POST",
      body: JSON.stringify({ goal: "Make the build pass", stepBudget: 10, creditBudget: 20 }),
    });
    expect(started.status).toBe(201);
    const taskPath = `/api/agent/${api.agentId}/tasks/${started.body.id}`;
    const paused = await taskOnceNot(api, started.body.id);
    expect(paused).toMatchObject({ status: "paused", endReason: "loop", stepsUsed: 3 });
    expect((await ledgerRows(paused.threadId)).filter((r) => r.kind === "loop_refund").length).toBeGreaterThan(0);

    const mail = await api.call<{ messages: { subject: string; text: string }[] }>(`/api/dev/mailbox?to=${encodeURIComponent(email)}`);
    const notice = mail.body.messages.find((m) => m.subject.startsWith("Task paused"));
    expect(notice?.text).toContain("Open the agent to resume it or stop it");

    const unknown = await api.call(`/api/agent/${api.agentId}/tasks/${"x".repeat(12)}/resume`, { method: "POST" });
    expect(unknown.status).toBe(404);

    stack.model.enqueue({ text: "REPORT: fixed the semicolon; the build passes." });
    const resumed = await api.call<Task>(`${taskPath}/resume`, { method: "POST" });
    expect(resumed.status).toBe(200);
    expect(resumed.body.status).toBe("running");
    const ended = await taskOnceNot(api, started.body.id);
    expect(ended).toMatchObject({ status: "completed", endReason: "done", stepsUsed: 4 });
    const again = await api.call<{ error: { message: string } }>(`${taskPath}/resume`, { method: "POST" });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("only a paused task can be resumed");
    expect((await api.audit()).consistent).toBe(true);
  }, 180_000);
});
