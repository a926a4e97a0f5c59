import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { SIMULATED_TODAYS } from "../support/simulated-today.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { type ApiInit, apiRequest } from "../support/http.ts";

let stack: AgentStack;
let owner: TestUser;
let agentId: string;
const base = () => stack.worker.url;

interface Schedule {
  id: string;
  cron: string | null;
  at: string | null;
  timezone: string;
  paused: boolean;
  nextRunAt: string | null;
  runs?: { dueAt: string; taskId: string | null }[];
}

// The scenario's simulated "now": every call carries it, the agent's Durable Objects read it, the cron runs at it.
let clockNow = 0;

function api<T>(path: string, init: ApiInit = {}) {
  return apiRequest<T>(base(), owner, path, { ...init, now: init.now ?? clockNow });
}

/** Moves the scenario's simulated time, for the routes and for the agent's Durable Objects. */
async function setClock(time: number): Promise<void> {
  clockNow = time;
  const response = await fetch(`${base()}/api/test/clock`, {
    method: "POST",
    body: JSON.stringify({ agentId, now: new Date(time).toISOString() }),
  });
  expect(response.status).toBe(200);
}

/** Fires the Worker's cron trigger as if it ran at `time` (the agent's clock moved there too): the catch-up that wakes agents with due schedules. */
async function cronTrigger(time: number): Promise<void> {
  await setClock(time);
  const response = await stack.worker.fetch(`/cdn-cgi/local/scheduled?time=${time}`);
  expect(response.status).toBe(200);
}

async function dueTimes(id: string): Promise<string[]> {
  const { body } = await api<Schedule>(`/api/agent/${agentId}/schedules/${id}`);
  return body.runs!.map((r) => r.dueAt).sort();
}

const MINUTE = 60_000;

beforeAll(async () => {
  stack = await startAgentStack();
  owner = await signUpVerifiedUser(base());
  agentId = (await api<{ agents: { id: string }[] }>("/api/agent")).body.agents[0]!.id;
}, 180_000);
afterAll(() => stack?.dispose());

// Thirty seconds into the minute of each simulated today (on 2027-01-31 the first due time is in the next month).
describe.each(SIMULATED_TODAYS)("a schedule due every minute, on %s", (today) => {
  const t0 = Math.floor(Date.parse(today) / MINUTE) * MINUTE + 30_000;
  const minute = (n: number) => new Date(t0 - 30_000 + n * MINUTE).toISOString();
  beforeAll(() => setClock(t0));

  it("fires exactly once per due time, across repeated wakes and a SIGKILL of the runtime, and catches up what it missed", async () => {
    const created = await api<Schedule>(`/api/agent/${agentId}/schedules`, {
      method: "POST",
      now: t0,
      body: JSON.stringify({
        goal: "Say tick",
        cron: "* * * * *",
        timezone: "Europe/Berlin",
        stepBudget: 1,
        creditBudget: 2,
        notify: false,
      }),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ cron: "* * * * *", timezone: "Europe/Berlin", paused: false, nextRunAt: minute(1) });
    const id = created.body.id;

    await cronTrigger(t0 + MINUTE);
    expect(await dueTimes(id)).toEqual([minute(1)]);
    await cronTrigger(t0 + MINUTE);
    await cronTrigger(t0 + MINUTE + 10_000);
    expect(await dueTimes(id)).toEqual([minute(1)]);

    await stack.worker.kill();
    await stack.worker.restart();
    await cronTrigger(t0 + MINUTE);
    expect(await dueTimes(id)).toEqual([minute(1)]);

    // Two due times passed while "down": both fire, once each.
    await cronTrigger(t0 + 3 * MINUTE);
    await cronTrigger(t0 + 3 * MINUTE);
    expect(await dueTimes(id)).toEqual([minute(1), minute(2), minute(3)]);
    const { body } = await api<Schedule>(`/api/agent/${agentId}/schedules/${id}`);
    expect(body.nextRunAt).toBe(minute(4));
    const taskIds = body.runs!.map((r) => r.taskId);
    expect(new Set(taskIds).size).toBe(3);
    const tasks = await api<{ tasks: { id: string; scheduleId: string | null; createdAt: string }[] }>(`/api/agent/${agentId}/tasks`);
    const scheduled = tasks.body.tasks.filter((t) => t.scheduleId === id);
    expect(scheduled.map((t) => t.id).sort()).toEqual([...taskIds].sort());
    // The tasks were created by the agent's Durable Object at the simulated time the cron ran at, not the real one.
    expect(scheduled.map((t) => t.createdAt).sort()).toEqual([
      new Date(t0 + MINUTE).toISOString(),
      new Date(t0 + 3 * MINUTE).toISOString(),
      new Date(t0 + 3 * MINUTE).toISOString(),
    ]);

    const listed = await api<{ schedules: Schedule[] }>(`/api/agent/${agentId}/schedules`);
    expect(listed.body.schedules.find((s) => s.id === id)?.nextRunAt).toBe(minute(4));
    expect((await api(`/api/agent/${agentId}/schedules/${id}`, { method: "DELETE" })).status).toBe(204);
  }, 240_000);

  it("does not fire while paused, counts the next run from the time it is resumed, and is gone once deleted", async () => {
    const { body: schedule } = await api<Schedule>(`/api/agent/${agentId}/schedules`, {
      method: "POST",
      now: t0,
      body: JSON.stringify({ goal: "Paused work", cron: "*/2 * * * *", stepBudget: 1, creditBudget: 2, notify: false }),
    });
    const paused = await api<Schedule>(`/api/agent/${agentId}/schedules/${schedule.id}`, {
      method: "PATCH",
      now: t0,
      body: JSON.stringify({ paused: true }),
    });
    expect(paused.body).toMatchObject({ paused: true, nextRunAt: null });
    await cronTrigger(t0 + 5 * MINUTE);
    expect(await dueTimes(schedule.id)).toEqual([]);

    const resumed = await api<Schedule>(`/api/agent/${agentId}/schedules/${schedule.id}`, {
      method: "PATCH",
      now: t0 + 5 * MINUTE,
      body: JSON.stringify({ paused: false, cron: "0 9 * * *", timezone: "America/New_York" }),
    });
    expect(resumed.body.paused).toBe(false);
    const next = new Date(resumed.body.nextRunAt!);
    expect(next.getTime()).toBeGreaterThan(t0 + 5 * MINUTE);
    expect(new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", hour: "numeric", hourCycle: "h23" }).format(next)).toBe("09");

    expect((await api(`/api/agent/${agentId}/schedules/${schedule.id}`, { method: "DELETE" })).status).toBe(204);
    expect((await api(`/api/agent/${agentId}/schedules/${schedule.id}`)).status).toBe(404);
  }, 60_000);

  it("runs a one-time schedule once, and refuses an invalid cron or time zone", async () => {
    const { body: once } = await api<Schedule>(`/api/agent/${agentId}/schedules`, {
      method: "POST",
      now: t0,
      body: JSON.stringify({ goal: "Once", at: new Date(t0 + 20 * MINUTE).toISOString(), stepBudget: 1, creditBudget: 2, notify: false }),
    });
    expect(once.nextRunAt).toBe(new Date(t0 + 20 * MINUTE).toISOString());
    await cronTrigger(t0 + 21 * MINUTE);
    await cronTrigger(t0 + 22 * MINUTE);
    expect(await dueTimes(once.id)).toEqual([new Date(t0 + 20 * MINUTE).toISOString()]);
    expect((await api<Schedule>(`/api/agent/${agentId}/schedules/${once.id}`)).body.nextRunAt).toBeNull();

    const badCron = await api(`/api/agent/${agentId}/schedules`, {
      method: "POST",
      body: JSON.stringify({ goal: "x", cron: "every minute" }),
    });
    expect(badCron.status).toBe(400);
    const badZone = await api(`/api/agent/${agentId}/schedules`, {
      method: "POST",
      body: JSON.stringify({ goal: "x", cron: "* * * * *", timezone: "Mars/Base" }),
    });
    expect(badZone.status).toBe(400);
  }, 60_000);
});
