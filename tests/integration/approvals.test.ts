import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AgentApi, agentApi, eventually, taskOnceNot } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { ChatSocket } from "../support/chat-socket.ts";
import { apiRequest } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { ChatMessageType } from "../../src/agent/wire.ts";

// Tool approval policy (src/lib/agents/tool-policy.ts, src/agent/approvals.ts): Allow, Ask or Block per tool and agent,
// a team floor members cannot loosen, and Ask calls that wait durably for a person's decision.

interface Part {
  type: string;
  toolCallId?: string;
  state?: string;
  input?: unknown;
  output?: { stdout?: string; exitCode?: number };
}
interface Message {
  id: string;
  role: string;
  parts: Part[];
  metadata?: {
    approvals?: {
      toolCallId: string;
      tool: string;
      input: unknown;
      approved: boolean;
      always?: boolean;
      by: { name: string };
      at: string;
    }[];
  };
}
interface Pending {
  toolCallId: string;
  tool: string;
  input: { command?: string };
}
interface Task {
  id: string;
  threadId: string;
  status: string;
  endReason: string | null;
  stepsUsed: number;
}

let stack: AgentStack;
let user: TestUser;
let api: AgentApi;

const execCall = (command: string) => ({ toolCalls: [{ name: "exec", arguments: { command } }] });
const setPolicy = (toolPolicy: Record<string, string>) =>
  api.call<{ toolPolicy: Record<string, string> }>(`/api/agent/${api.agentId}`, { method: "PATCH", body: JSON.stringify({ toolPolicy }) });

async function messages(threadId: string): Promise<Message[]> {
  return (await api.call<{ messages: Message[] }>(`/api/agent/${api.agentId}/threads/${threadId}/messages`)).body.messages;
}
const toolPart = (all: Message[], toolCallId: string) => all.flatMap((m) => m.parts).find((p) => p.toolCallId === toolCallId);
async function pending(threadId: string): Promise<Pending[]> {
  return (await api.call<{ pending: Pending[] }>(`/api/agent/${api.agentId}/threads/${threadId}/approvals`)).body.pending;
}
const decide = (threadId: string, body: { toolCallId: string; approved: boolean; always?: boolean }) =>
  api.call<{ text: string; toolCalls: { state: string; output?: { stdout?: string } }[]; approvals: { by: { name: string } }[] }>(
    `/api/agent/${api.agentId}/threads/${threadId}/approvals`,
    { method: "POST", body: JSON.stringify(body) },
  );
const file = async (path: string) => (await api.call<string>(`/api/agent/${api.agentId}/files?path=${path}`)).body;

beforeAll(async () => {
  stack = await startAgentStack();
  user = await signUpVerifiedUser(stack.worker.url);
  api = await agentApi(stack.worker.url, user);
}, 180_000);
afterAll(() => stack?.dispose());
beforeEach(async () => {
  stack.model.reset();
  await setPolicy({ exec: "allow", write_file: "allow", git_push: "allow" });
});

describe("tool approval policy", () => {
  it("stores Allow, Ask and Block per tool, refuses unknown tool names, and Block hides the tool from the model", async () => {
    const unknown = await api.call(`/api/agent/${api.agentId}`, {
      method: "PATCH",
      body: JSON.stringify({ toolPolicy: { python: "ask" } }),
    });
    expect(unknown.status).toBe(400);
    const wrong = await api.call(`/api/agent/${api.agentId}`, { method: "PATCH", body: JSON.stringify({ toolPolicy: { exec: "maybe" } }) });
    expect(wrong.status).toBe(400);

    const set = await setPolicy({ exec: "ask", write_file: "block" });
    expect(set.status).toBe(200);
    expect(set.body.toolPolicy).toEqual({ exec: "ask", write_file: "block" });
    expect((await api.call<{ toolPolicy: object }>(`/api/agent/${api.agentId}`)).body.toolPolicy).toEqual({
      exec: "ask",
      write_file: "block",
    });

    stack.model.enqueue({ text: "Hello." });
    const thread = await api.newThread();
    await api.turn(thread, "hi");
    const offered = (stack.model.requests[0]!.body!.tools as { function: { name: string } }[]).map((t) => t.function.name);
    expect(offered).toContain("exec");
    expect(offered).toContain("read_file");
    expect(offered).not.toContain("write_file");
  }, 60_000);

  it("pauses a turn at an Ask call until it is approved over the WebSocket, records who decided, and runs it once", async () => {
    await setPolicy({ exec: "ask" });
    stack.model.enqueue(execCall("echo approved-$((6*7)) >> ws-once.txt; cat ws-once.txt"), { text: "It printed approved-42." });
    const thread = await api.newThread();
    const url = `${stack.worker.url}/ws/thread/${api.agentId}-${thread}`;
    const socket = await ChatSocket.open(url, user.headers());
    const requestId = socket.sendMessage("run it");
    const { chunks, error } = await socket.response(requestId);
    expect(error).toBeUndefined();
    const request = chunks.find((c) => c.type === "tool-approval-request");
    expect(request).toBeDefined();
    expect(chunks.some((c) => c.type === "tool-output-available")).toBe(false);
    expect(stack.model.requests).toHaveLength(1);

    // The waiting call is in the stored history with its exact arguments: a reload or a second tab sees it.
    const toolCallId = String(request!.toolCallId);
    expect(toolPart(await messages(thread), toolCallId)).toMatchObject({
      state: "approval-requested",
      input: { command: "echo approved-$((6*7)) >> ws-once.txt; cat ws-once.txt" },
    });
    const secondTab = await ChatSocket.open(url, user.headers());

    socket.send({ type: ChatMessageType.CF_AGENT_TOOL_APPROVAL, toolCallId, approved: true, autoContinue: true });
    const done = await eventually(
      async () => {
        const part = toolPart(await messages(thread), toolCallId);
        return part?.state === "output-available" && (await messages(thread));
      },
      60_000,
      "the approved call to run",
    );
    expect(toolPart(done, toolCallId)!.output!.stdout).toBe("approved-42\n");
    await stack.model.waitForRequests(2, 30_000);
    expect(JSON.stringify(stack.model.requests[1]!.body!.messages)).toContain("approved-42");
    const answer = done.find((m) => m.parts.some((p) => p.toolCallId === toolCallId))!;
    expect(answer.metadata?.approvals).toEqual([
      expect.objectContaining({ toolCallId, tool: "exec", approved: true, by: expect.objectContaining({ name: user.name }) }),
    ]);
    // A second tab, opened while the call waited, saw it move on too.
    await secondTab.waitFor(
      (f) => f.type === ChatMessageType.CF_AGENT_CHAT_MESSAGES && JSON.stringify(f.messages ?? []).includes('"approvals"'),
      20_000,
      "the decision in the second tab",
    );

    // A second approval of the same call (a double click, another tab) changes nothing: the command ran once.
    socket.send({ type: ChatMessageType.CF_AGENT_TOOL_APPROVAL, toolCallId, approved: true, autoContinue: true });
    const again = await decide(thread, { toolCallId, approved: true });
    expect(again.status).toBe(409);
    expect(await file("ws-once.txt")).toBe("approved-42\n");
    expect(stack.model.requests).toHaveLength(2);
    socket.close();
    secondTab.close();
  }, 120_000);

  it("shows the waiting call in the REST turn's answer, approves it over REST, and a denial is told to the model", async () => {
    await setPolicy({ exec: "ask" });
    const thread = await api.newThread();
    stack.model.enqueue(execCall("echo rest-approved"), { text: "Done: rest-approved." });
    const first = await api.turn(thread, "run it");
    expect(first.status).toBe(200);
    const waiting = (first.body as unknown as { pendingApprovals: Pending[] }).pendingApprovals;
    expect(waiting).toEqual([expect.objectContaining({ tool: "exec", input: { command: "echo rest-approved" } })]);
    expect(first.body.toolCalls[0]!.state).toBe("approval-requested");

    const approved = await decide(thread, { toolCallId: waiting[0]!.toolCallId, approved: true });
    expect(approved.status).toBe(200);
    expect(approved.body.toolCalls[0]).toMatchObject({ state: "output-available", output: { stdout: "rest-approved\n" } });
    expect(approved.body.text).toContain("Done: rest-approved.");
    expect(approved.body.approvals[0]!.by.name).toBe(user.name);

    stack.model.reset();
    stack.model.enqueue(execCall("rm -rf ./*"), { text: "Understood, I will not delete anything." });
    const second = await api.turn(thread, "clean up");
    const risky = (second.body as unknown as { pendingApprovals: Pending[] }).pendingApprovals[0]!;
    const denied = await decide(thread, { toolCallId: risky.toolCallId, approved: false });
    expect(denied.status).toBe(200);
    expect(denied.body.toolCalls[0]!.state).toBe("output-denied");
    expect(denied.body.text).toContain("Understood");
    // The model's next request carries the denial as the call's result.
    const toolMessage = stack.model.requests[1]!.body!.messages.findLast((m) => m.role === "tool");
    expect(JSON.stringify(toolMessage)).toMatch(/denied/i);
    const unknown = await decide(thread, { toolCallId: "call_nope", approved: true });
    expect(unknown.status).toBe(409);
  }, 120_000);

  it("keeps a waiting call across a runtime SIGKILL and runs it exactly once after the restart", async () => {
    await setPolicy({ exec: "ask" });
    const thread = await api.newThread();
    stack.model.enqueue(execCall("echo ran >> once.txt"), { text: "Appended." });
    const turn = await api.turn(thread, "append a line");
    const waiting = (turn.body as unknown as { pendingApprovals: Pending[] }).pendingApprovals[0]!;

    await stack.worker.kill();
    await stack.worker.restart();

    expect(await pending(thread)).toEqual([expect.objectContaining({ toolCallId: waiting.toolCallId, tool: "exec" })]);
    const approved = await decide(thread, { toolCallId: waiting.toolCallId, approved: true });
    expect(approved.status).toBe(200);
    const twice = await decide(thread, { toolCallId: waiting.toolCallId, approved: true });
    expect(twice.status).toBe(409);
    expect(await file("once.txt")).toBe("ran\n");
    expect(await pending(thread)).toEqual([]);
  }, 180_000);

  it("pauses a task at an Ask call, emails a link to its thread, and resumes it once the call is approved", async () => {
    await setPolicy({ exec: "ask" });
    stack.model.enqueue(execCall("echo task-approved > task.txt"), { text: "REPORT: wrote task.txt." });
    const started = await api.call<Task>(`/api/agent/${api.agentId}/tasks`, {
      method: "POST",
      body: JSON.stringify({ goal: `Write task.txt ${randomUUID()}`, stepBudget: 5, creditBudget: 20 }),
    });
    expect(started.status).toBe(201);
    const taskPath = `/api/agent/${api.agentId}/tasks/${started.body.id}`;
    const paused = await taskOnceNot(api, started.body.id);
    expect(paused).toMatchObject({ status: "paused", endReason: "approval", stepsUsed: 1 });
    const mail = await api.call<{ messages: { subject: string; text: string }[] }>(`/api/dev/mailbox?to=${encodeURIComponent(user.email)}`);
    const notice = mail.body.messages.find((m) => m.subject.startsWith("Task paused"));
    expect(notice?.text).toContain(`/agents/${api.agentId}/threads/${paused.threadId}`);
    expect(notice?.text).toContain("allow or deny");

    const early = await api.call(`${taskPath}/resume`, { method: "POST" });
    expect(early.status).toBe(409);
    const [waiting] = await pending(paused.threadId);
    expect(waiting).toMatchObject({ tool: "exec", input: { command: "echo task-approved > task.txt" } });
    const approved = await decide(paused.threadId, { toolCallId: waiting!.toolCallId, approved: true });
    expect(approved.status).toBe(200);

    const ended = await taskOnceNot(api, started.body.id, ["running", "paused"]);
    expect(ended).toMatchObject({ status: "completed", endReason: "done", stepsUsed: 2 });
    expect(await file("task.txt")).toBe("task-approved\n");
  }, 180_000);

  it("lets team owners set a floor that a member with agents.manage cannot loosen (403, nothing changed)", async () => {
    const owner = await signUpVerifiedUser(stack.worker.url);
    const manager = await signUpVerifiedUser(stack.worker.url);
    const call = <T = Record<string, unknown>>(who: TestUser, path: string, init: Parameters<typeof apiRequest>[3] = {}) =>
      apiRequest<T>(stack.worker.url, who, path, init);
    const team = await call<{ id: string }>(owner, "/api/teams", {
      method: "POST",
      body: { name: "Floor", slug: `floor-${randomUUID().slice(0, 8)}` },
    });
    const teamId = team.body.id;
    const role = await call<{ id: string }>(owner, `/api/teams/${teamId}/roles`, {
      method: "POST",
      body: { name: "Agent keeper", permissions: ["agents.use", "agents.manage"] },
    });
    await call(owner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: manager.email, role: role.body.id } });
    const mail = await call<{ messages: { links: string[] }[] }>(owner, `/api/dev/mailbox?to=${encodeURIComponent(manager.email)}`);
    const link = mail.body.messages.flatMap((m) => m.links).find((l) => decodeURIComponent(l).includes("/team/invite/"))!;
    const token = decodeURIComponent(link).split("/team/invite/")[1]!;
    expect((await call(manager, `/api/teams/invitations/${token}/accept`, { method: "POST" })).status).toBe(200);
    const agent = await call<{ id: string }>(owner, "/api/agent", { method: "POST", account: teamId, body: { name: "Team agent" } });
    const agentPath = `/api/agent/${agent.body.id}`;

    expect((await call(manager, `/api/teams/${teamId}/tool-floor`, { method: "PUT", body: { floor: {} } })).status).toBe(403);
    const floor = await call<{ floor: object }>(owner, `/api/teams/${teamId}/tool-floor`, {
      method: "PUT",
      body: { floor: { git_push: "ask" } },
    });
    expect(floor.body.floor).toEqual({ git_push: "ask" });

    const loosen = await call<{ error: { message: string } }>(manager, agentPath, {
      method: "PATCH",
      body: { toolPolicy: { git_push: "allow", exec: "ask" } },
    });
    expect(loosen.status).toBe(403);
    expect(loosen.body.error.message).toContain("git_push");
    const after = await call<{ toolPolicy: object; toolPolicyFloor: object }>(manager, agentPath);
    expect(after.body.toolPolicy).toEqual({});
    expect(after.body.toolPolicyFloor).toEqual({ git_push: "ask" });

    const stricter = await call<{ toolPolicy: object }>(manager, agentPath, {
      method: "PATCH",
      body: { toolPolicy: { git_push: "block" } },
    });
    expect(stricter.status).toBe(200);
    expect(stricter.body.toolPolicy).toEqual({ git_push: "block" });
    // Even the owner sets the floor first: the agent's own policy never goes below it.
    const ownerLoosen = await call(owner, agentPath, { method: "PATCH", body: { toolPolicy: { git_push: "allow" } } });
    expect(ownerLoosen.status).toBe(403);
  }, 120_000);
});
