import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { SIMULATED_TODAYS } from "../support/simulated-today.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { apiRequest } from "../support/http.ts";

/*
 * The agent's Durable Objects read the clock a test sets (POST /api/test/clock), not the real one: a turn's
 * reservation and charge, the month whose free credits it spends, and the tasks it creates are all dated at the
 * simulated "now", whatever today's real date is.
 */

let stack: AgentStack;
let user: TestUser;
let agentId: string;

interface Transaction {
  kind: string;
  reason: string;
  threadId: string | null;
  createdAt: string;
}

function call<T>(path: string, now: string, init: { method?: string; body?: unknown; accept?: string } = {}) {
  const headers = init.accept ? { accept: init.accept } : undefined;
  return apiRequest<T>(stack.worker.url, user, path, { method: init.method, body: init.body, headers, now });
}

beforeAll(async () => {
  stack = await startAgentStack();
  user = await signUpVerifiedUser(stack.worker.url);
  agentId = (await call<{ agents: { id: string }[] }>("/api/agent", SIMULATED_TODAYS[0])).body.agents[0]!.id;
}, 180_000);
afterAll(() => stack?.dispose());

describe.each(SIMULATED_TODAYS)("an agent whose clock a test set to %s", (today) => {
  beforeAll(async () => {
    const set = await fetch(`${stack.worker.url}/api/test/clock`, { method: "POST", body: JSON.stringify({ agentId, now: today }) });
    expect(set.status).toBe(200);
  });

  it("reserves and charges a turn at that time, from that month's free credits", async () => {
    const thread = await call<{ id: string }>(`/api/agent/${agentId}/threads`, today, { method: "POST" });
    expect(thread.status).toBe(201);
    const turn = await call<{ text: string; credits: number }>(`/api/agent/${agentId}/threads/${thread.body.id}/messages`, today, {
      method: "POST",
      body: { text: "what time is it?" },
      accept: "application/json",
    });
    expect(turn.status).toBe(200);
    expect(turn.body.text).toBe("Echo: what time is it?");
    expect(turn.body.credits).toBeGreaterThan(0);

    const { body } = await call<{ transactions: Transaction[] }>("/api/credits/transactions?limit=200", today);
    const charges = body.transactions.filter((t) => t.kind === "usage" && t.threadId === thread.body.id);
    expect(charges.length).toBeGreaterThan(0);
    expect(new Set(charges.map((t) => t.createdAt))).toEqual(new Set([new Date(today).toISOString()]));
    const grant = body.transactions.find((t) => t.kind === "monthly_grant" && t.reason.endsWith(today.slice(0, 7)));
    expect(grant?.createdAt).toBe(new Date(today).toISOString());
  });

  it("dates a task it starts at that time", async () => {
    const task = await call<{ createdAt: string }>(`/api/agent/${agentId}/tasks`, today, {
      method: "POST",
      body: { goal: "Say hello", stepBudget: 1, creditBudget: 2, notify: false },
    });
    expect(task.status).toBe(201);
    expect(task.body.createdAt).toBe(new Date(today).toISOString());
  });

  it("refuses a malformed time and leaves the clock as it was", async () => {
    const bad = await fetch(`${stack.worker.url}/api/test/clock`, { method: "POST", body: JSON.stringify({ agentId, now: "yesterday" }) });
    expect(bad.status).toBe(400);
    const task = await call<{ createdAt: string }>(`/api/agent/${agentId}/tasks`, today, {
      method: "POST",
      body: { goal: "Say hello again", stepBudget: 1, creditBudget: 2, notify: false },
    });
    expect(task.body.createdAt).toBe(new Date(today).toISOString());
  });
});
