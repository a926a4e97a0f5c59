import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agentApi, type AgentApi, type LedgerAudit } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { ChatSocket } from "../support/chat-socket.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

/*
 * Faults of the model endpoint (agent-core covers a plain 500 in the JSON form and agent-recovery an unreachable
 * endpoint): a stream cut mid-answer, an error event mid-stream, a 500 over the WebSocket, and a stream that stops
 * sending. Each must end the turn with a message, charge nothing for the failed step, leave no reservation, and let
 * the next message work and be charged as usual.
 */

const IDLE_TIMEOUT_MS = 1500;
let stack: AgentStack;
let user: TestUser;
let me: AgentApi;

const total = (audit: LedgerAudit) => audit.ledger.freeMillicredits + audit.ledger.purchasedMillicredits;

beforeAll(async () => {
  stack = await startAgentStack({ vars: { LLM_STREAM_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS) } });
  user = await signUpVerifiedUser(stack.worker.url);
  me = await agentApi(stack.worker.url, user);
}, 180_000);
afterAll(() => stack?.dispose());
beforeEach(() => stack?.model.reset());

/** The ledger after a failed turn is exactly as before it: same balance, no usage row, no reservation. */
async function expectNothingCharged(before: LedgerAudit, usageRowsBefore: number): Promise<void> {
  const after = await me.audit();
  expect(after.consistent).toBe(true);
  expect(total(after)).toBe(total(before));
  expect(after.openReservationsMillicredits).toBe(0);
  expect((await me.credits()).reserved).toBe(0);
  expect((await me.usageRows()).length).toBe(usageRowsBefore);
}

/** A retry in the same thread answers and is charged exactly what its usage rows and its reply say. */
async function expectRetryChargedNormally(threadId: string): Promise<void> {
  const before = await me.audit();
  const usageBefore = await me.usageRows();
  const retried = await me.turn(threadId, "and now?");
  expect(retried.status).toBe(200);
  expect(retried.body.error).toBeUndefined();
  expect(retried.body.text).toBe("Echo: and now?");
  expect(retried.body.credits).toBeGreaterThan(0);
  const after = await me.audit();
  expect(after.consistent).toBe(true);
  expect(after.openReservationsMillicredits).toBe(0);
  const charged = total(before) - total(after);
  expect(charged).toBe(Math.round(retried.body.credits * 1000));
  const known = new Set(usageBefore.map((row) => row.id));
  const newRows = (await me.usageRows()).filter((row) => !known.has(row.id));
  expect(newRows.length).toBeGreaterThan(0);
  expect(newRows.every((row) => row.threadId === threadId && row.model === "gpt-oss:20b")).toBe(true);
  expect(Math.round(-newRows.reduce((sum, row) => sum + row.amount, 0) * 1000)).toBe(charged);
}

describe("a model stream that fails mid-answer", () => {
  it("ends the turn with a message naming the endpoint when the connection drops, charges nothing, and a retry is charged normally", async () => {
    const threadId = await me.newThread();
    const before = await me.audit();
    const usageBefore = (await me.usageRows()).length;
    stack.model.enqueue({ text: "This answer will be cut off somewhere in the middle of its sentence.", dropAfterChunks: 6 });
    const failed = await me.turn(threadId, "tell me something");
    expect(failed.status).toBe(200);
    expect(stack.model.requests[0]!.dropped).toBe(true);
    expect(failed.body.error).toContain(stack.model.url);
    expect(failed.body.error).not.toMatch(/\n\s+at /);
    await expectNothingCharged(before, usageBefore);
    await expectRetryChargedNormally(threadId);
  });

  it("relays an error event sent mid-stream (as vLLM does) and charges nothing for that step", async () => {
    const threadId = await me.newThread();
    const before = await me.audit();
    const usageBefore = (await me.usageRows()).length;
    stack.model.enqueue({ text: "Starting to answer, then failing.", streamError: "CUDA out of memory" });
    const failed = await me.turn(threadId, "go");
    expect(failed.body.error).toContain("CUDA out of memory");
    expect(failed.body.error).toContain(stack.model.url);
    await expectNothingCharged(before, usageBefore);
    await expectRetryChargedNormally(threadId);
  });

  it("tells a WebSocket client when the endpoint answers 500, charges nothing, and the next message works", async () => {
    const threadId = await me.newThread();
    const before = await me.audit();
    const usageBefore = (await me.usageRows()).length;
    // The AI SDK retries a 500 twice before it gives up.
    stack.model.enqueue(...Array.from({ length: 3 }, () => ({ error: { status: 500, message: "upstream overloaded" } })));
    const socket = await ChatSocket.open(`${stack.worker.url}/ws/thread/${me.agentId}-${threadId}`, user.headers());
    try {
      const requestId = socket.sendMessage("hello over the socket");
      const { chunks, error } = await socket.response(requestId, 30_000);
      const message = error ?? chunks.find((c) => c.type === "error")?.errorText ?? "";
      expect(message).toContain(stack.model.url);
      expect(message).toMatch(/upstream overloaded/);
      expect(message).toMatch(/Nothing was charged/);
      expect(stack.model.requests).toHaveLength(3);
      await expectNothingCharged(before, usageBefore);
    } finally {
      socket.close();
    }
    await expectRetryChargedNormally(threadId);
  });
});

describe("a model endpoint that stops sending", () => {
  it("cancels the request after LLM_STREAM_IDLE_TIMEOUT_MS of silence, says so, charges nothing, and a retry is charged normally", async () => {
    const threadId = await me.newThread();
    const before = await me.audit();
    const usageBefore = (await me.usageRows()).length;
    stack.model.enqueue({ stall: true });
    const started = Date.now();
    const failed = await me.turn(threadId, "are you there?");
    const tookMs = Date.now() - started;
    expect(failed.body.error).toContain(stack.model.url);
    expect(failed.body.error).toMatch(/stopped sending for 1\.5 s/);
    expect(tookMs).toBeGreaterThanOrEqual(IDLE_TIMEOUT_MS);
    expect(tookMs).toBeLessThan(20_000);
    await stack.model.waitFor(() => stack.model.requests[0]!.aborted, 5000, "the stalled request to be cancelled");
    await expectNothingCharged(before, usageBefore);
    await expectRetryChargedNormally(threadId);
  });

  it("also cancels an endpoint that goes silent after part of the answer", async () => {
    const threadId = await me.newThread();
    const before = await me.audit();
    const usageBefore = (await me.usageRows()).length;
    stack.model.when(
      { lastUserMessageIncludes: "half" },
      (request) => ({
        text: "Half an answer and then",
        // Silence after the first few deltas: the fake waits longer between chunks than the idle timeout.
        delayMsBetweenChunks: request.index === 0 ? IDLE_TIMEOUT_MS * 4 : 0,
        chunkSize: 8,
      }),
      { once: true },
    );
    const failed = await me.turn(threadId, "half an answer please");
    expect(failed.body.error).toMatch(/stopped sending/);
    await expectNothingCharged(before, usageBefore);
  });

  it("does not cut a slow stream that keeps sending, nor a tool that runs longer than the idle timeout", async () => {
    const threadId = await me.newThread();
    const slow = "a slow but steady answer";
    stack.model.enqueue({ text: slow, chunkSize: 4, delayMsBetweenChunks: IDLE_TIMEOUT_MS / 3 });
    const started = Date.now();
    const answered = await me.turn(threadId, "take your time");
    expect(Date.now() - started).toBeGreaterThan(IDLE_TIMEOUT_MS);
    expect(answered.body.error).toBeUndefined();
    expect(answered.body.text).toBe(slow);

    const sleepSeconds = Math.ceil((IDLE_TIMEOUT_MS * 2) / 1000);
    const tool = await me.turn(threadId, `[[tool:exec:sleep ${sleepSeconds} && echo woke]]`);
    expect(tool.body.error).toBeUndefined();
    expect(tool.body.toolCalls[0]).toMatchObject({ name: "exec", state: "output-available" });
    expect(tool.body.toolCalls[0]!.output?.stdout).toBe("woke\n");
    expect((await me.audit()).openReservationsMillicredits).toBe(0);
  });
});
