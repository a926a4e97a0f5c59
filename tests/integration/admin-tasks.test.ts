import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";

// Admins stopping other users' work: a stack of its own (fake model, sandboxd) with ADMIN_EMAILS naming the admin.
const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;

interface Task {
  id: string;
  status: string;
  endReason: string | null;
}

let stack: AgentStack;
let admin: TestUser;
const base = () => stack.worker.url;

async function call<T>(user: TestUser, path: string, method = "GET", body?: unknown): Promise<{ status: number; body: T }> {
  const response = await fetch(`${base()}${path}`, {
    method,
    headers: user.headers({ "content-type": "application/json" }),
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function ownerWithStalledTask(): Promise<{ owner: TestUser; userId: string; agentId: string; task: Task }> {
  const owner = await signUpVerifiedUser(base());
  const userId = (await call<{ user: { id: string } }>(owner, "/api/me")).body.user.id;
  const agentId = (await call<{ agents: { id: string }[] }>(owner, "/api/agent")).body.agents[0]!.id;
  stack.model.enqueue({ stall: true });
  const started = await call<Task>(owner, `/api/agent/${agentId}/tasks`, "POST", { goal: "Wait for ever", stepBudget: 5 });
  expect(started.status).toBe(201);
  await stack.model.waitForRequests(1, 30_000);
  return { owner, userId, agentId, task: started.body };
}

beforeAll(async () => {
  stack = await startAgentStack({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } });
  admin = await signUpUser(base(), { email: ADMIN_EMAIL });
}, 180_000);
afterAll(() => stack?.dispose());
beforeEach(() => stack.model.reset());

describe("an admin and other users' running tasks", () => {
  it("sees a user's running task and stops it, aborting the step in flight, with an audit entry", async () => {
    const { owner, agentId, task } = await ownerWithStalledTask();
    const listed = await call<{ tasks: Task[] }>(admin, `/api/admin/agents/${agentId}/tasks`);
    expect(listed.body.tasks.find((t) => t.id === task.id)).toMatchObject({ status: "running" });

    const stopped = await call<Task>(admin, `/api/admin/agents/${agentId}/tasks/${task.id}`, "DELETE");
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ status: "stopped" });
    await stack.model.waitFor(() => stack.model.activeStreams === 0, 20_000, "the stalled step to be aborted");
    const own = await call<Task>(owner, `/api/agent/${agentId}/tasks/${task.id}`);
    expect(own.body.status).toBe("stopped");
    const audit = await call<{ entries: { action: string; detail: { taskId?: string } }[] }>(admin, `/api/admin/audit?targetId=${agentId}`);
    expect(audit.body.entries[0]).toMatchObject({ action: "agent.task_stopped", detail: { taskId: task.id } });
  }, 120_000);

  it("stops a user's running tasks when banning them", async () => {
    const { userId, agentId, task } = await ownerWithStalledTask();
    const banned = await call<{ tasksStopped: number }>(admin, `/api/admin/users/${userId}/ban`, "POST", {
      reason: "Mining crypto in the sandbox",
    });
    expect(banned.status).toBe(200);
    expect(banned.body.tasksStopped).toBe(1);
    await stack.model.waitFor(() => stack.model.activeStreams === 0, 20_000, "the stalled step to be aborted");
    const listed = await call<{ tasks: Task[] }>(admin, `/api/admin/agents/${agentId}/tasks`);
    expect(listed.body.tasks.find((t) => t.id === task.id)?.status).toBe("stopped");
  }, 120_000);
});
