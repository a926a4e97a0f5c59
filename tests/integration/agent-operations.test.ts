import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { ChatSocket, parseSse, textOf } from "../support/chat-socket.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { ChatMessageType } from "../../src/agent/wire.ts";
import { type ApiInit, apiRequest, rawRequest, WEBSOCKET_UPGRADE_HEADERS } from "../support/http.ts";

/*
 * The agent-operations layer is the only way into an agent: REST and the /ws/ routes authorize with the same rule
 * and start turns through the same path, so both ways agree on who gets in, with the same status and error code,
 * and on what a turn leaves in the history.
 */

const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;
let stack: AgentStack;
const base = () => stack.worker.url;

interface StoredMessage {
  id: string;
  role: string;
  parts: { type: string; text?: string }[];
  metadata?: { credits?: number };
}

function api<T = Record<string, unknown>>(user: TestUser, path: string, init: ApiInit = {}) {
  return apiRequest<T>(base(), user, path, init);
}

const firstAgent = async (user: TestUser) => (await api<{ agents: { id: string }[] }>(user, "/api/agent")).body.agents[0]!.id;
const textOfMessage = (m: StoredMessage) =>
  m.parts
    .filter((p) => p.type === "text")
    .map((p) => p.text)
    .join("");

/** A WebSocket handshake to a /ws/ route: the status it answers (101 when it is accepted) and the refusal's code. */
async function handshake(path: string, headers: Record<string, string>): Promise<{ status: number; code?: string }> {
  const url = new URL(path, base());
  const answer = await rawRequest(url.href, { headers: { ...headers, ...WEBSOCKET_UPGRADE_HEADERS, origin: url.origin } });
  if (answer.status === 101) return { status: 101 };
  return { status: answer.status, code: (JSON.parse(answer.body || "{}") as { error?: { code?: string } }).error?.code };
}

beforeAll(async () => {
  stack = await startAgentStack({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } });
}, 180_000);
afterAll(() => stack?.dispose());

describe("a message sent while a turn runs", () => {
  it("is answered with the agent as it is when its own turn starts, edits made while it waited included", async () => {
    const owner = await signUpVerifiedUser(base());
    const agentId = await firstAgent(owner);
    const threadId = (await api<{ id: string }>(owner, `/api/agent/${agentId}/threads`, { method: "POST" })).body.id;
    const url = `${base()}/ws/thread/${agentId}-${threadId}`;
    const [socket, observer] = await Promise.all([ChatSocket.open(url, owner.headers()), ChatSocket.open(url, owner.headers())]);
    try {
      // The first turn waits at the model until it is stopped.
      stack.model.when({ lastUserMessageIncludes: "hold the line" }, { stall: true }, { once: true });
      const first = socket.sendMessage("hold the line");
      await socket.waitFor((f) => f.id === first && (f.body ?? "").includes('"start"'), 20_000, "the first turn's start");
      const second = socket.sendMessage("answer after the edit");
      // The thread has taken the second message (it shows it to the other client) while the first turn still runs.
      await observer.waitFor(
        (f) => f.type === ChatMessageType.CF_AGENT_CHAT_MESSAGES && JSON.stringify(f.messages ?? []).includes("answer after the edit"),
        20_000,
        "the second message stored",
      );
      const marker = `edited-${randomUUID().slice(0, 8)}`;
      const edited = await api(owner, `/api/agent/${agentId}`, { method: "PATCH", body: { instructions: `Mention ${marker}.` } });
      expect(edited.status).toBe(200);
      socket.cancel(first);
      expect((await socket.response(second)).error).toBeUndefined();
      const request = stack.model.requests.find((r) => r.lastUserMessage === "answer after the edit");
      const system = JSON.stringify(request?.body?.messages.filter((m) => m.role === "system"));
      expect(system).toContain(marker);
    } finally {
      socket.close();
      observer.close();
    }
  }, 90_000);
});

describe("a REST turn and a WebSocket turn", () => {
  it("go through the same path on one thread: every client sees both, and the stored history holds both exactly once", async () => {
    const owner = await signUpVerifiedUser(base());
    const agentId = await firstAgent(owner);
    const threadId = (await api<{ id: string }>(owner, `/api/agent/${agentId}/threads`, { method: "POST" })).body.id;
    const socket = await ChatSocket.open(`${base()}/ws/thread/${agentId}-${threadId}`, owner.headers());
    try {
      const first = socket.sendMessage("first, over the socket");
      expect(textOf((await socket.response(first)).chunks)).toBe("Echo: first, over the socket");

      const rest = await api<string>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`, {
        method: "POST",
        body: { text: "second, over REST" },
      });
      expect(rest.status).toBe(200);
      const sse = parseSse(rest.body);
      expect(sse.done).toBe(true);
      expect(textOf(sse.chunks)).toBe("Echo: second, over REST");
      // The REST turn streams to the open socket too, as a turn started by another browser tab would; the broadcast
      // may reach the socket after the REST answer has ended, so the socket's copy is read once its last frame is in.
      const restFrame = await socket.waitFor(
        (f) => f.type === ChatMessageType.CF_AGENT_USE_CHAT_RESPONSE && f.id !== first,
        10_000,
        "the REST turn on the socket",
      );
      expect(textOf((await socket.response(restFrame.id!)).chunks)).toBe("Echo: second, over REST");

      const history = (await api<{ messages: StoredMessage[] }>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`)).body.messages;
      const third = socket.sendMessage("third, over the socket", history);
      expect(textOf((await socket.response(third)).chunks)).toBe("Echo: third, over the socket");

      const json = await api<{ text: string; credits: number }>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`, {
        method: "POST",
        body: { text: "fourth, over REST as JSON" },
        headers: { accept: "application/json" },
      });
      expect(json.body.text).toBe("Echo: fourth, over REST as JSON");
      expect(json.body.credits).toBeGreaterThan(0);
    } finally {
      socket.close();
    }

    const stored = (await api<{ messages: StoredMessage[] }>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`)).body.messages;
    expect(stored.map((m) => `${m.role}: ${textOfMessage(m)}`)).toEqual([
      "user: first, over the socket",
      "assistant: Echo: first, over the socket",
      "user: second, over REST",
      "assistant: Echo: second, over REST",
      "user: third, over the socket",
      "assistant: Echo: third, over the socket",
      "user: fourth, over REST as JSON",
      "assistant: Echo: fourth, over REST as JSON",
    ]);
    // Both ways meter the same: every answer carries its charge.
    for (const answer of stored.filter((m) => m.role === "assistant")) expect(answer.metadata?.credits).toBeGreaterThan(0);
  }, 120_000);
});

describe("a turn's message", () => {
  it("is checked over the WebSocket exactly like over REST: a non-string, empty or oversized text is refused and nothing is stored", async () => {
    const owner = await signUpVerifiedUser(base());
    const agentId = await firstAgent(owner);
    const threadId = (await api<{ id: string }>(owner, `/api/agent/${agentId}/threads`, { method: "POST" })).body.id;
    const socket = await ChatSocket.open(`${base()}/ws/thread/${agentId}-${threadId}`, owner.headers());
    try {
      const badTexts: unknown[] = [{ evil: true }, "   ", "x".repeat(100_001)];
      for (const text of badTexts) {
        const id = randomUUID();
        const message = { id: randomUUID(), role: "user", parts: [{ type: "text", text }] };
        socket.send({
          type: ChatMessageType.CF_AGENT_USE_CHAT_REQUEST,
          id,
          init: { method: "POST", body: JSON.stringify({ messages: [message] }) },
        });
        const refused = await socket.response(id);
        expect(refused.error, JSON.stringify(text).slice(0, 40)).toMatch(/text/);
        const rest = await api(owner, `/api/agent/${agentId}/threads/${threadId}/messages`, { method: "POST", body: { text } });
        expect(rest.status).toBe(400);
      }
      expect((await api<{ messages: unknown[] }>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`)).body.messages).toEqual([]);
      expect((await api<{ title: string }>(owner, `/api/agent/${agentId}/threads/${threadId}`)).body.title).not.toContain(
        "[object Object]",
      );

      // A valid message still works, and a title made from it loses text-direction overrides.
      const ok = socket.sendMessage("hello \u202Edlrow");
      expect(textOf((await socket.response(ok)).chunks)).toBe("Echo: hello \u202Edlrow");
    } finally {
      socket.close();
    }
    // The thread is titled when the turn is recorded, just after its answer ends.
    let title = "";
    for (const deadline = Date.now() + 10_000; title !== "hello dlrow" && Date.now() < deadline; ) {
      title = (await api<{ title: string }>(owner, `/api/agent/${agentId}/threads/${threadId}`)).body.title;
      if (title !== "hello dlrow") await new Promise((r) => setTimeout(r, 100));
    }
    expect(title).toBe("hello dlrow");
    const renamed = await api(owner, `/api/agent/${agentId}/threads/${threadId}`, {
      method: "PATCH",
      body: { title: "evil \u202E title" },
    });
    expect(renamed.status).toBe(400);
    const named = await api(owner, "/api/agent", { method: "POST", body: { name: "nul \u0000 name" } });
    expect(named.status).toBe(400);
  }, 60_000);
});

describe("agent access over REST and /ws/", () => {
  let owner: TestUser;
  let agentId: string;
  let threadId: string;
  const cases: { name: string; user: () => TestUser; status: number; code: string }[] = [];
  const users: Record<string, TestUser> = {};

  beforeAll(async () => {
    owner = await signUpVerifiedUser(base());
    const admin = await signUpUser(base(), { email: ADMIN_EMAIL });
    const teamId = (
      await api<{ id: string }>(owner, "/api/teams", { method: "POST", body: { name: "Ops", slug: `ops-${randomUUID().slice(0, 8)}` } })
    ).body.id;
    agentId = (
      await api<{ id: string }>(owner, "/api/agent", { method: "POST", body: { name: "Team agent" }, headers: { "x-account": teamId } })
    ).body.id;
    threadId = (await api<{ id: string }>(owner, `/api/agent/${agentId}/threads`, { method: "POST" })).body.id;

    users.stranger = await signUpVerifiedUser(base());
    users.unverified = await signUpUser(base());
    // A member whose custom role holds no agent permission.
    users.roleless = await signUpVerifiedUser(base());
    const role = (
      await api<{ id: string }>(owner, `/api/teams/${teamId}/roles`, {
        method: "POST",
        body: { name: "Billing only", permissions: ["billing.view"] },
      })
    ).body.id;
    await api(owner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: users.roleless.email, role } });
    const mail = (await (await fetch(`${base()}/api/dev/mailbox?to=${encodeURIComponent(users.roleless.email)}`)).json()) as {
      messages: { links: string[] }[];
    };
    const token = decodeURIComponent(
      mail.messages.flatMap((m) => m.links).find((l) => decodeURIComponent(l).includes("/team/invite/"))!,
    ).split("/team/invite/")[1]!;
    expect((await api(users.roleless, `/api/teams/invitations/${token}/accept`, { method: "POST" })).status).toBe(200);
    // A member of the team, banned by an admin (the session they had before the ban).
    users.banned = await signUpVerifiedUser(base());
    const bannedId = (await api<{ user: { id: string } }>(users.banned, "/api/me")).body.user.id;
    expect((await api(admin, `/api/admin/users/${bannedId}/ban`, { method: "POST", body: { reason: "Abuse" } })).status).toBe(200);
  }, 180_000);

  cases.push(
    { name: "a user of another account", user: () => users.stranger!, status: 404, code: "not_found" },
    { name: "a member whose role lacks agents.use", user: () => users.roleless!, status: 403, code: "forbidden" },
    { name: "a user whose email is not verified", user: () => users.unverified!, status: 403, code: "email_not_verified" },
    { name: "a banned user", user: () => users.banned!, status: 401, code: "unauthorized" },
  );

  it.each(cases)(
    "gives $name the same $status $code over REST, the /ws/ HTTP route and the WebSocket handshake",
    async ({ user, status, code }) => {
      const rest = await api<{ error: { code: string } }>(user(), `/api/agent/${agentId}`);
      const restThread = await api<{ error: { code: string } }>(user(), `/api/agent/${agentId}/threads/${threadId}/messages`);
      const wsHttp = await fetch(`${base()}/ws/agent/${agentId}`, { headers: user().headers() });
      const wsHttpBody = (await wsHttp.json()) as { error: { code: string } };
      const upgrade = await handshake(`/ws/thread/${agentId}-${threadId}`, user().headers());
      expect([rest.status, rest.body.error.code]).toEqual([status, code]);
      expect([restThread.status, restThread.body.error.code]).toEqual([status, code]);
      expect([wsHttp.status, wsHttpBody.error.code]).toEqual([status, code]);
      expect([upgrade.status, upgrade.code]).toEqual([status, code]);
    },
  );

  it("lets the owner in both ways, whatever account the switcher names", async () => {
    expect((await api(owner, `/api/agent/${agentId}`)).status).toBe(200);
    expect((await handshake(`/ws/thread/${agentId}-${threadId}`, owner.headers())).status).toBe(101);
  });
});
