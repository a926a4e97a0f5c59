import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentApi, agentApi, type TaskJson } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { apiRequest } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

// An agent's settings (PATCH /api/agent/:id): its per-turn credit cap, enforced by the ledger, and its task budget,
// the default and the ceiling of its tasks' credit budgets. Bad input answers 4xx and changes nothing.

interface AgentJson {
  name: string;
  model: string;
  instructions: string;
  preset: string;
  maxSteps: number;
  turnCreditCap: number | null;
  taskCreditBudget: number | null;
}

interface LedgerRow {
  kind: string;
  amount: number;
  threadId: string | null;
  inputTokens: number | null;
  sandboxMs: number | null;
}

let stack: AgentStack;
let user: TestUser;
let api: AgentApi;

const agentPath = () => `/api/agent/${api.agentId}`;
const patch = <T = AgentJson>(body: unknown) => api.call<T>(agentPath(), { method: "PATCH", body: JSON.stringify(body) });
const read = async () => (await api.call<AgentJson>(agentPath())).body;
const millis = (credits: number) => Math.round(credits * 1000);

async function threadCharges(threadId: string): Promise<LedgerRow[]> {
  const { body } = await api.call<{ transactions: LedgerRow[] }>("/api/credits/transactions?limit=200");
  return body.transactions.filter((t) => t.threadId === threadId && t.kind === "usage");
}

/** A model step that calls exec and reports this usage (gpt-oss:20b: 0.2 credits per 1k input, 0.6 per 1k output). */
const costlyStep = (n: number) => ({
  toolCalls: [{ name: "exec", arguments: { command: `echo step ${n}` } }],
  usage: { prompt_tokens: 1000, completion_tokens: 1000, total_tokens: 2000 },
});

beforeAll(async () => {
  stack = await startAgentStack();
  user = await signUpVerifiedUser(stack.worker.url);
  api = await agentApi(stack.worker.url, user);
}, 180_000);
afterAll(() => stack?.dispose());
beforeEach(() => stack.model.reset());

describe("an agent's per-turn credit cap", () => {
  it("stops a turn scripted to cost more than the cap, says so, and charges the ledger at most the cap", async () => {
    const set = await patch({ turnCreditCap: 2 });
    expect(set.status).toBe(200);
    expect(set.body.turnCreditCap).toBe(2);
    // Each step costs 0.8 credits of tokens plus its command: uncapped, this turn would make six steps.
    stack.model.enqueue(...Array.from({ length: 6 }, (_, i) => costlyStep(i)), { text: "All done." });
    const thread = await api.newThread();
    const before = await api.credits();

    const { status, body } = await api.turn(thread, "Run the steps");
    expect(status).toBe(200);
    expect(body.text).toContain("Stopped: this turn reached the agent's credit cap of 2 credits per turn");
    expect(stack.model.requests.length).toBe(3);
    // The model is not asked for more output than the cap could pay for (uncapped, a step may ask for 4096 tokens).
    const asked = stack.model.requests[0]!.body!.max_tokens ?? stack.model.requests[0]!.body!.max_completion_tokens;
    expect(asked).toBeGreaterThan(0);
    expect(asked).toBeLessThan(2000 / 0.6);

    const charged = (await threadCharges(thread)).reduce((sum, row) => sum - millis(row.amount), 0);
    expect(charged).toBeLessThanOrEqual(2000);
    // The third step was charged what was left under the cap, not nothing.
    expect(charged).toBe(2000);
    const after = await api.credits();
    expect(millis(before.balance - after.balance)).toBe(charged);
    expect(millis(body.credits)).toBe(charged);
    expect(after.reserved).toBe(0);
    expect((await api.audit()).consistent).toBe(true);

    // The label is in the stored history, so a reload shows it.
    const stored = await api.call<{ messages: { role: string; metadata?: { turnCap?: { credits: number } } }[] }>(
      `${agentPath()}/threads/${thread}/messages`,
    );
    expect(stored.body.messages.at(-1)?.metadata?.turnCap).toEqual({ credits: 2 });
  }, 120_000);

  it("leaves a turn under its cap alone, and a removed cap no longer stops anything", async () => {
    stack.model.enqueue(costlyStep(1), { text: "Done in two." });
    const thread = await api.newThread();
    const capped = await api.turn(thread, "A small job");
    expect(capped.body.text).toBe("Done in two.");

    expect((await patch({ turnCreditCap: null })).body.turnCreditCap).toBeNull();
    stack.model.reset();
    stack.model.enqueue(...Array.from({ length: 4 }, (_, i) => costlyStep(i)), { text: "Finished." });
    const free = await api.turn(await api.newThread(), "A bigger job");
    expect(free.body.text).toBe("Finished.");
    expect(stack.model.requests.length).toBe(5);
  }, 120_000);

  it("does not start a turn whose cap cannot pay for an answer, and charges nothing", async () => {
    await patch({ turnCreditCap: 0.01 });
    const thread = await api.newThread();
    const before = await api.credits();
    const { status, body } = await api.turn(thread, "Hello");
    expect(status).toBe(200);
    expect(body.text).toContain("This turn did not start: the agent's credit cap of 0.01 credits per turn cannot pay");
    expect(stack.model.requests).toHaveLength(0);
    expect((await api.credits()).balance).toBe(before.balance);
    await patch({ turnCreditCap: null });
  }, 60_000);
});

describe("an agent's task budget", () => {
  it("is the budget of a task that names none, and the most a task or schedule may name (400, nothing started)", async () => {
    expect((await patch({ taskCreditBudget: 3 })).body.taskCreditBudget).toBe(3);
    stack.model.enqueue({ text: "Goal reached." });
    const started = await api.call<TaskJson & { creditBudget: number }>(`${agentPath()}/tasks`, {
      method: "POST",
      body: JSON.stringify({ goal: "Say hello", stepBudget: 2 }),
    });
    expect(started.status).toBe(201);
    expect(started.body.creditBudget).toBe(3);

    const tasksBefore = (await api.call<{ tasks: unknown[] }>(`${agentPath()}/tasks`)).body.tasks.length;
    const over = await api.call<{ error: { code: string; message: string } }>(`${agentPath()}/tasks`, {
      method: "POST",
      body: JSON.stringify({ goal: "Spend more", creditBudget: 5 }),
    });
    expect(over.status).toBe(400);
    expect(over.body.error.message).toContain("above this agent's task budget of 3 credits");
    expect((await api.call<{ tasks: unknown[] }>(`${agentPath()}/tasks`)).body.tasks).toHaveLength(tasksBefore);

    const schedule = await api.call(`${agentPath()}/schedules`, {
      method: "POST",
      body: JSON.stringify({ goal: "Nightly", cron: "0 3 * * *", creditBudget: 5 }),
    });
    expect(schedule.status).toBe(400);
    expect((await api.call<{ schedules: unknown[] }>(`${agentPath()}/schedules`)).body.schedules).toHaveLength(0);

    // At or below the ceiling is fine.
    stack.model.enqueue({ text: "Done." });
    const within = await api.call<{ creditBudget: number }>(`${agentPath()}/tasks`, {
      method: "POST",
      body: JSON.stringify({ goal: "Spend a little", creditBudget: 2.5 }),
    });
    expect(within.status).toBe(201);
    expect(within.body.creditBudget).toBe(2.5);
  }, 120_000);
});

describe("changing an agent's settings", () => {
  it("refuses bad input with a clear 4xx and changes nothing", async () => {
    const good = await patch({ name: "Settled", instructions: "Be brief.", preset: "coding", maxSteps: 12 });
    expect(good.status).toBe(200);
    const before = await read();
    expect(before).toMatchObject({ name: "Settled", instructions: "Be brief.", preset: "coding", maxSteps: 12 });

    const cases: [unknown, number, string][] = [
      [{ name: "Renamed", model: "no-such-model:1b" }, 404, "no-such-model:1b"],
      [{ name: "Renamed", turnCreditCap: -1 }, 400, "turnCreditCap"],
      [{ name: "Renamed", turnCreditCap: 0 }, 400, "turnCreditCap"],
      [{ name: "Renamed", taskCreditBudget: -5 }, 400, "taskCreditBudget"],
      [{ name: "Renamed", taskCreditBudget: 1_000_000 }, 400, "taskCreditBudget"],
      [{ name: "Renamed", preset: "wizard" }, 400, "preset"],
      [{ name: "Renamed", maxSteps: 0 }, 400, "maxSteps"],
      [{ name: "Renamed", turnCreditCap: "lots" }, 400, "turnCreditCap"],
      [{ name: "Renamed", colour: "blue" }, 400, "colour"],
      [{}, 400, "nothing to change"],
    ];
    for (const [body, status, says] of cases) {
      const answer = await patch<{ error: { code: string; message: string } }>(body);
      expect(answer.status, JSON.stringify(body)).toBe(status);
      expect(JSON.stringify(answer.body.error), JSON.stringify(body)).toContain(says);
    }
    expect(await read()).toEqual(before);
  }, 60_000);

  it("lists the enabled catalog models with their prices", async () => {
    const { status, body } = await api.call<{ models: { id: string; inputCreditsPer1k: number; outputCreditsPer1k: number }[] }>(
      "/api/models",
    );
    expect(status).toBe(200);
    expect(body.models).toContainEqual(expect.objectContaining({ id: "gpt-oss:20b", inputCreditsPer1k: 0.2, outputCreditsPer1k: 0.6 }));
    const anonymous = await fetch(`${stack.worker.url}/api/models`);
    expect(anonymous.status).toBe(401);
  });

  it("refuses a team member without agents.manage (403) and changes nothing; a manager may", async () => {
    const owner = await signUpVerifiedUser(stack.worker.url);
    const member = await signUpVerifiedUser(stack.worker.url);
    const call = <T = Record<string, unknown>>(who: TestUser, path: string, init: Parameters<typeof apiRequest>[3] = {}) =>
      apiRequest<T>(stack.worker.url, who, path, init);
    const team = await call<{ id: string }>(owner, "/api/teams", {
      method: "POST",
      body: { name: "Settings", slug: `settings-${randomUUID().slice(0, 8)}` },
    });
    const teamId = team.body.id;
    await call(owner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: member.email, role: "member" } });
    const mail = await call<{ messages: { links: string[] }[] }>(owner, `/api/dev/mailbox?to=${encodeURIComponent(member.email)}`);
    const link = mail.body.messages.flatMap((m) => m.links).find((l) => decodeURIComponent(l).includes("/team/invite/"))!;
    const token = decodeURIComponent(link).split("/team/invite/")[1]!;
    expect((await call(member, `/api/teams/invitations/${token}/accept`, { method: "POST" })).status).toBe(200);
    const agent = await call<{ id: string }>(owner, "/api/agent", { method: "POST", account: teamId, body: { name: "Team agent" } });
    const path = `/api/agent/${agent.body.id}`;

    const seen = await call<AgentJson & { permissions: string[] }>(member, path, { account: teamId });
    expect(seen.status).toBe(200);
    expect(seen.body.permissions).not.toContain("agents.manage");
    const refused = await call<{ error: { code: string } }>(member, path, {
      method: "PATCH",
      account: teamId,
      body: { name: "Mine now", turnCreditCap: 1, taskCreditBudget: 1 },
    });
    expect(refused.status).toBe(403);
    expect((await call<AgentJson>(owner, path, { account: teamId })).body).toMatchObject({
      name: "Team agent",
      turnCreditCap: null,
      taskCreditBudget: null,
    });
    const managed = await call<AgentJson>(owner, path, { method: "PATCH", account: teamId, body: { turnCreditCap: 1.5 } });
    expect(managed.body.turnCreditCap).toBe(1.5);
  }, 60_000);
});
