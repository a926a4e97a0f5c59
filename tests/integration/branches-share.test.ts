import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentApi, agentApi, eventually } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { apiRequest } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

// Branches (src/agent/thread-branches.ts), export and share links (src/lib/threads/) of a thread, over the REST API.

interface Message {
  id: string;
  role: string;
  parts: { type: string; text?: string }[];
}
interface BranchPoint {
  parentId: string | null;
  messageId: string;
  index: number;
  count: number;
}
interface History {
  messages: Message[];
  branches: BranchPoint[];
  versions?: { parentId: string | null; index: number; active: boolean; messages: Message[] }[];
}
interface Share {
  id: string;
  token: string;
  revokedAt: string | null;
}

let stack: AgentStack;
let owner: TestUser;
let api: AgentApi;
let stranger: AgentApi;

const textOf = (m: Message) => m.parts.map((p) => p.text ?? "").join("");
const transcript = (h: History) => h.messages.map((m) => `${m.role}: ${textOf(m)}`);

beforeAll(async () => {
  stack = await startAgentStack();
  owner = await signUpVerifiedUser(stack.worker.url);
  api = await agentApi(stack.worker.url, owner);
  stranger = await agentApi(stack.worker.url, await signUpVerifiedUser(stack.worker.url));
}, 180_000);
afterAll(() => stack?.dispose());

const threadPath = (threadId: string) => `/api/agent/${api.agentId}/threads/${threadId}`;
const history = async (threadId: string, all = false) =>
  (await api.call<History>(`${threadPath(threadId)}/messages${all ? "?branches=all" : ""}`)).body;
const modelCharges = async (threadId: string) =>
  (await api.usageRows()).filter((row) => row.threadId === threadId && row.model !== null).length;
const branchTurn = (threadId: string, messageId: string, action: "edit" | "regenerate", text?: string) =>
  api.call<{ text: string; error?: string }>(`${threadPath(threadId)}/messages/${messageId}/${action}`, {
    method: "POST",
    headers: { accept: "application/json" },
    ...(text !== undefined && { body: { text } }),
  });

describe("branches of a conversation", () => {
  it("edits a message into branch 2/2, regenerates a third answer, and the model sees only the active path", async () => {
    const threadId = await api.newThread();
    expect((await api.turn(threadId, "first question")).body.text).toBe("Echo: first question");
    expect((await api.turn(threadId, "second question")).body.text).toBe("Echo: second question");
    const before = await history(threadId);
    expect(before.branches).toEqual([]);
    const [firstUser, firstAnswer, secondUser] = before.messages;

    const edited = await branchTurn(threadId, secondUser!.id, "edit", "second question, edited");
    expect(edited.status).toBe(200);
    expect(edited.body.text).toBe("Echo: second question, edited");
    // The model got the edited message after the first exchange, and nothing of the replaced one.
    const editRequest = stack.model.requests.at(-1)!;
    expect(JSON.stringify(editRequest.body!.messages)).not.toContain('second question"');
    expect(editRequest.lastUserMessage).toBe("second question, edited");

    const afterEdit = await history(threadId);
    expect(transcript(afterEdit)).toEqual([
      "user: first question",
      "assistant: Echo: first question",
      "user: second question, edited",
      "assistant: Echo: second question, edited",
    ]);
    expect(afterEdit.branches).toEqual([{ parentId: firstAnswer!.id, messageId: afterEdit.messages[2]!.id, index: 2, count: 2 }]);

    stack.model.enqueue({ text: "A regenerated answer" });
    const regenerated = await branchTurn(threadId, afterEdit.messages[3]!.id, "regenerate");
    expect(regenerated.status).toBe(200);
    expect(regenerated.body.text).toBe("A regenerated answer");
    const afterRegenerate = await history(threadId);
    expect(transcript(afterRegenerate).slice(2)).toEqual(["user: second question, edited", "assistant: A regenerated answer"]);
    expect(afterRegenerate.branches).toEqual([
      { parentId: firstAnswer!.id, messageId: afterRegenerate.messages[2]!.id, index: 2, count: 2 },
      { parentId: afterRegenerate.messages[2]!.id, messageId: afterRegenerate.messages[3]!.id, index: 2, count: 2 },
    ]);

    // On request, the other versions with their messages.
    const all = await history(threadId, true);
    const earlier = all.versions!.filter((v) => !v.active).map((v) => v.messages.map(textOf));
    expect(earlier).toEqual(expect.arrayContaining([["second question", "Echo: second question"], ["Echo: second question, edited"]]));

    // Back to the original second question: its own answer comes back, and the next turn builds on it.
    const switched = await api.call<History>(`${threadPath(threadId)}/branches`, {
      method: "POST",
      body: { parentId: firstAnswer!.id, index: 1 },
    });
    expect(switched.status).toBe(200);
    expect(transcript(switched.body).slice(2)).toEqual(["user: second question", "assistant: Echo: second question"]);
    expect(switched.body.branches).toEqual([{ parentId: firstAnswer!.id, messageId: secondUser!.id, index: 1, count: 2 }]);
    expect((await api.turn(threadId, "third question")).body.text).toBe("Echo: third question");
    const third = stack.model.requests.at(-1)!;
    const sent = JSON.stringify(third.body!.messages);
    expect(sent).toContain("second question");
    expect(sent).not.toContain("edited");
    expect(sent).not.toContain("A regenerated answer");

    // Switching back to version 2 restores the edited branch with its regenerated answer (its own fork is kept).
    const back = await api.call<History>(`${threadPath(threadId)}/branches`, {
      method: "POST",
      body: { parentId: firstAnswer!.id, index: 2 },
    });
    expect(transcript(back.body).slice(2)).toEqual(["user: second question, edited", "assistant: A regenerated answer"]);
    expect(back.body.branches.map((b) => `${b.index}/${b.count}`)).toEqual(["2/2", "2/2"]);
    expect(firstUser!.id).toBe(back.body.messages[0]!.id);

    // Five generations (two turns, an edit, a regeneration, one more turn), each charged once; switching is free.
    expect(await modelCharges(threadId)).toBe(5);
    expect((await api.audit()).consistent).toBe(true);
  });

  it("refuses a message or fork of another thread, an answer to edit, and editing while a turn runs; nothing changes", async () => {
    const threadId = await api.newThread();
    const otherThread = await api.newThread();
    await api.turn(threadId, "keep me");
    await api.turn(otherThread, "other thread");
    const other = await history(otherThread);
    const before = await history(threadId);
    const charges = await modelCharges(threadId);
    const requests = stack.model.requests.length;

    expect((await branchTurn(threadId, other.messages[0]!.id, "edit", "hijack")).status).toBe(404);
    expect((await branchTurn(threadId, other.messages[1]!.id, "regenerate")).status).toBe(404);
    const foreignFork = await api.call(`${threadPath(threadId)}/branches`, {
      method: "POST",
      body: { parentId: other.messages[1]!.id, index: 1 },
    });
    expect(foreignFork.status).toBe(404);
    expect((await api.call(`${threadPath(threadId)}/branches`, { method: "POST", body: { parentId: null, index: 7 } })).status).toBe(404);
    expect((await branchTurn(threadId, before.messages[1]!.id, "edit", "an answer is not mine")).status).toBe(400);
    expect((await branchTurn(threadId, before.messages[0]!.id, "edit", "   ")).status).toBe(400);
    // Another user's thread is not found at all.
    const foreign = await stranger.call(`/api/agent/${api.agentId}/threads/${threadId}/messages/${before.messages[0]!.id}/edit`, {
      method: "POST",
      body: { text: "mine now" },
    });
    expect(foreign.status).toBe(404);

    // A turn that is still running: editing, regenerating and switching are 409.
    stack.model.enqueue({ text: "slow", stall: true });
    const running = api.turn(threadId, "a long one");
    await eventually(async () => (await api.call<{ running: boolean }>(threadPath(threadId))).body.running, 15_000, "the turn to run");
    expect((await branchTurn(threadId, before.messages[0]!.id, "edit", "now")).status).toBe(409);
    expect((await branchTurn(threadId, before.messages[1]!.id, "regenerate")).status).toBe(409);
    expect((await api.call(`${threadPath(threadId)}/branches`, { method: "POST", body: { parentId: null, index: 1 } })).status).toBe(409);
    await api.call(`${threadPath(threadId)}/stop`, { method: "POST" });
    await running;

    const after = await history(threadId);
    expect(after.branches).toEqual([]);
    expect(after.messages.slice(0, 2)).toEqual(before.messages);
    expect(await history(otherThread)).toEqual(other);
    // Only the stopped turn reached the model; it is charged at most once.
    expect(stack.model.requests.length).toBe(requests + 1);
    expect(await modelCharges(threadId)).toBeLessThanOrEqual(charges + 1);
    expect((await api.audit()).consistent).toBe(true);
  });
});

describe("export and share", () => {
  it("exports Markdown and JSON of the active branch with secrets redacted", async () => {
    const secret = `sk-live-${randomUUID()}`;
    expect(
      (await api.call(`/api/agent/${api.agentId}/secrets`, { method: "PUT", body: { secrets: { PAYMENT_KEY: secret } } })).status,
    ).toBeLessThan(300);
    const threadId = await api.newThread();
    await api.turn(threadId, `my key is ${secret}, keep it`);
    const md = await fetch(`${stack.worker.url}${threadPath(threadId)}/export?format=markdown`, { headers: owner.headers() });
    expect(md.status).toBe(200);
    expect(md.headers.get("content-type")).toContain("text/markdown");
    expect(md.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.md"$/);
    const markdown = await md.text();
    expect(markdown).toMatch(/^# .+\n/);
    expect(markdown).toMatch(/## You[^\n]*\n\nmy key is \[secret PAYMENT_KEY\], keep it/);
    expect(markdown).toContain("## Agent\n\nEcho: my key is [secret PAYMENT_KEY], keep it");
    expect(markdown).not.toContain(secret);

    const json = await apiRequest<{ thread: { id: string }; messages: Message[] }>(
      stack.worker.url,
      owner,
      `${threadPath(threadId)}/export?format=json`,
    );
    expect(json.status).toBe(200);
    expect(json.headers.get("content-disposition")).toMatch(/\.json"$/);
    expect(json.body.thread.id).toBe(threadId);
    expect(json.body.messages.map(textOf)).toEqual([
      "my key is [secret PAYMENT_KEY], keep it",
      "Echo: my key is [secret PAYMENT_KEY], keep it",
    ]);
    expect(json.text).not.toContain(secret);
    expect((await api.call(`${threadPath(threadId)}/export?format=pdf`)).status).toBe(400);
    expect((await stranger.call(`/api/agent/${api.agentId}/threads/${threadId}/export`)).status).toBe(404);
  });

  it("shares a snapshot anyone can read signed out, until it is revoked", async () => {
    const threadId = await api.newThread();
    await api.turn(threadId, "share this");
    const created = await api.call<Share>(`${threadPath(threadId)}/shares`, { method: "POST" });
    expect(created.status).toBe(201);
    await api.turn(threadId, "after sharing");

    const publicView = await apiRequest<{ title: string; messages: Message[] }>(
      stack.worker.url,
      undefined,
      `/api/shares/${created.body.token}`,
    );
    expect(publicView.status).toBe(200);
    expect(publicView.body.messages.map(textOf)).toEqual(["share this", "Echo: share this"]);
    const page = await fetch(`${stack.worker.url}/share/${created.body.token}`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("Echo: share this");
    expect(html).not.toContain("after sharing");

    const list = await api.call<{ shares: Share[] }>(`${threadPath(threadId)}/shares`);
    expect(list.body.shares.map((s) => s.id)).toEqual([created.body.id]);
    expect(
      (await stranger.call(`/api/agent/${api.agentId}/threads/${threadId}/shares/${created.body.id}`, { method: "DELETE" })).status,
    ).toBe(404);
    const otherThread = await api.newThread();
    expect((await api.call(`${threadPath(otherThread)}/shares/${created.body.id}`, { method: "DELETE" })).status).toBe(404);
    expect((await apiRequest(stack.worker.url, undefined, `/api/shares/${created.body.token}`)).status).toBe(200);

    const revoked = await api.call<Share>(`${threadPath(threadId)}/shares/${created.body.id}`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).not.toBeNull();
    expect((await apiRequest(stack.worker.url, undefined, `/api/shares/${created.body.token}`)).status).toBe(404);
    expect((await fetch(`${stack.worker.url}/share/${created.body.token}`)).status).toBe(404);
    expect((await apiRequest(stack.worker.url, undefined, "/api/shares/not-a-token")).status).toBe(404);
  });

  it("refuses sharing (403) to a team member whose role lacks threads.share, and lets the owner share", async () => {
    const teamOwner = await signUpVerifiedUser(stack.worker.url);
    const member = await signUpVerifiedUser(stack.worker.url);
    const call = <T = Record<string, unknown>>(who: TestUser, path: string, init: Parameters<typeof apiRequest>[3] = {}) =>
      apiRequest<T>(stack.worker.url, who, path, init);
    const team = await call<{ id: string }>(teamOwner, "/api/teams", {
      method: "POST",
      body: { name: "Sharers", slug: `share-${randomUUID().slice(0, 8)}` },
    });
    const teamId = team.body.id;
    await call(teamOwner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: member.email, role: "member" } });
    const mail = await call<{ messages: { links: string[] }[] }>(teamOwner, `/api/dev/mailbox?to=${encodeURIComponent(member.email)}`);
    const link = mail.body.messages.flatMap((m) => m.links).find((l) => decodeURIComponent(l).includes("/team/invite/"))!;
    const token = decodeURIComponent(link).split("/team/invite/")[1]!;
    expect((await call(member, `/api/teams/invitations/${token}/accept`, { method: "POST" })).status).toBe(200);
    const agent = await call<{ id: string }>(teamOwner, "/api/agent", { method: "POST", account: teamId, body: { name: "Team agent" } });
    const thread = await call<{ id: string }>(member, `/api/agent/${agent.body.id}/threads`, { method: "POST" });
    expect(thread.status).toBe(201);
    const path = `/api/agent/${agent.body.id}/threads/${thread.body.id}`;

    const refused = await call<{ error: { code: string } }>(member, `${path}/shares`, { method: "POST" });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    expect((await call<{ shares: Share[] }>(teamOwner, `${path}/shares`)).body.shares).toEqual([]);
    // The member can still export what they can read.
    expect((await call(member, `${path}/export?format=json`)).status).toBe(200);
    // The owner's role holds threads.share (an empty thread has nothing to share yet: 400, not 403).
    expect((await call(teamOwner, `${path}/shares`, { method: "POST" })).status).toBe(400);
  });
});
