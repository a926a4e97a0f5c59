import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { API_ROUTES, type ApiRoute } from "../../src/lib/api/routes.ts";
import { ChatSocket } from "../support/chat-socket.ts";
import { rawRequest, WEBSOCKET_UPGRADE_HEADERS } from "../support/http.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";
import { AgentMessageType, ChatMessageType } from "../../src/agent/wire.ts";

/*
 * Walks every /api and /v1 route in the route table (src/lib/api/routes.ts), so a route added later is covered without
 * touching this file: without credentials, with another user's credentials, and with malformed bodies.
 */

const base = () => inject("workerUrl");
let owner: TestUser;
let stranger: TestUser;
let ids: Record<string, string>;
/** API keys of the owner and the stranger, for the routes that take no session cookie (`bearerOnly`). */
const apiKeys = new Map<TestUser, string>();

// Admin routes answer 404 to every non-admin; tests/integration/admin-access.test.ts sweeps them.
const userRoutes = API_ROUTES.filter((r) => r.access === "user");

function concretePath(route: ApiRoute, named: Record<string, string> = ids): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) => named[name] ?? `unknown-${name}`).replace("*", "anything");
}

async function call(route: ApiRoute, user: TestUser | null, body?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const bearer: Record<string, string> =
    user && route.bearerOnly ? { authorization: `Bearer ${apiKeys.get(user)}`, accept: "application/json, text/event-stream" } : {};
  return fetch(`${base()}${concretePath(route)}`, {
    method: route.method,
    headers: user ? user.headers({ ...headers, ...bearer }) : { ...headers, origin: base() },
    ...(route.method !== "GET" && route.method !== "DELETE" && { body: body ?? "{}" }),
  });
}

async function ownerState(): Promise<string> {
  const agent = await fetch(`${base()}/api/agent/${ids.id}`, { headers: owner.headers() });
  const threads = await fetch(`${base()}/api/agent/${ids.id}/threads`, { headers: owner.headers() });
  const memory = await fetch(`${base()}/api/agent/${ids.id}/memory`, { headers: owner.headers() });
  return JSON.stringify([await agent.json(), await threads.json(), await memory.json()]);
}

beforeAll(async () => {
  owner = await signUpVerifiedUser(base());
  stranger = await signUpVerifiedUser(base());
  const agents = await fetch(`${base()}/api/agent`, { headers: owner.headers() });
  const agentId = ((await agents.json()) as { agents: { id: string }[] }).agents[0]!.id;
  const thread = await fetch(`${base()}/api/agent/${agentId}/threads`, {
    method: "POST",
    headers: owner.headers({ "content-type": "application/json" }),
    body: JSON.stringify({ title: "Owner's thread" }),
  });
  const threadId = ((await thread.json()) as { id: string }).id;
  const note = await fetch(`${base()}/api/agent/${agentId}/memory`, {
    method: "POST",
    headers: owner.headers({ "content-type": "application/json" }),
    body: JSON.stringify({ text: "owner's note" }),
  });
  const noteId = ((await note.json()) as { id: string }).id;
  const team = await fetch(`${base()}/api/teams`, {
    method: "POST",
    headers: owner.headers({ "content-type": "application/json" }),
    body: JSON.stringify({ name: "Sweep team", slug: `sweep-${crypto.randomUUID().slice(0, 8)}` }),
  });
  const teamId = ((await team.json()) as { id: string }).id;
  for (const user of [owner, stranger]) {
    const key = await fetch(`${base()}/api/keys`, {
      method: "POST",
      headers: user.headers({ "content-type": "application/json" }),
      body: JSON.stringify({ name: "sweep bearer" }),
    });
    apiKeys.set(user, ((await key.json()) as { key: { secret: string } }).key.secret);
  }
  ids = {
    id: agentId,
    tid: threadId,
    noteId,
    pid: "p-unknown",
    port: "3000",
    taskId: "t-unknown",
    sid: "s-unknown",
    teamId,
    userId: "u-unknown",
    roleId: "role-unknown",
    invitationId: "i-unknown",
    token: "t-unknown",
  };
}, 60_000);

describe("every /api route from the route table", () => {
  it("answers 401 JSON to a caller without credentials, for routes that need a user", async () => {
    const answers = await Promise.all(
      userRoutes.map(async (route) => {
        const response = await call(route, null);
        const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
        return `${route.method} ${route.path} -> ${response.status} ${body?.error?.code ?? "no JSON error"}`;
      }),
    );
    expect(answers.filter((a) => !a.endsWith("-> 401 unauthorized"))).toEqual([]);
  });

  it("answers 404 to another user for every route naming the owner's agent, and changes nothing", async () => {
    const before = await ownerState();
    const scoped = userRoutes.filter((r) => r.path.includes(":id"));
    expect(scoped.length).toBeGreaterThan(20);
    const answers = await Promise.all(
      scoped.map(async (route) => `${route.method} ${route.path} -> ${(await call(route, stranger)).status}`),
    );
    expect(answers.filter((a) => !a.endsWith("-> 404"))).toEqual([]);
    expect(await ownerState()).toBe(before);
  });

  it("answers a clear 400 to malformed JSON bodies and changes nothing", async () => {
    const before = await ownerState();
    const jsonRoutes = userRoutes.filter((r) => r.body === "json");
    expect(jsonRoutes.length).toBeGreaterThan(5);
    const answers = await Promise.all(
      jsonRoutes.map(async (route) => {
        const responses = await Promise.all(
          ["{not json", "[]", JSON.stringify({ unexpected: "<script>alert(1)</script>".repeat(3) })].map((body) =>
            call(route, owner, body),
          ),
        );
        const statuses = responses.map((r) => r.status);
        const messages = await Promise.all(
          responses.map(async (r) => ((await r.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message ?? ""),
        );
        return { route: `${route.method} ${route.path}`, statuses, clear: messages.every((m) => m.length > 0) };
      }),
    );
    expect(answers.filter((a) => a.statuses.some((s) => s !== 400) || !a.clear)).toEqual([]);
    expect(await ownerState()).toBe(before);
  });

  it("refuses a cross-site cookie-authenticated write on every write route", async () => {
    const writes = userRoutes.filter((r) => r.method !== "GET");
    const answers = await Promise.all(
      writes.map(async (route) => {
        const response = await fetch(`${base()}${concretePath(route)}`, {
          method: route.method,
          headers: owner.headers({ "content-type": "application/json", origin: "https://evil.example" }),
          ...(route.method !== "DELETE" && { body: "{}" }),
        });
        return `${route.method} ${route.path} -> ${response.status}`;
      }),
    );
    expect(answers.filter((a) => !/-> (401|403)$/.test(a))).toEqual([]);
  });
});

/*
 * What an attacker with an ordinary account tried in a red-team pass (issue 21), kept fixed for every route that
 * exists now or is added later: API keys that manage keys, sessions or the account, and names that carry control
 * characters or text-direction overrides. Other findings have their own tests: the dev instance (dev-instance),
 * secrets and git tokens (agent-secrets-context, teams), redirects (auth-api), cookies (tests/e2e/preview-cookies).
 */
describe("findings of the red-team pass, on every route they could touch", () => {
  it("refuses an API key on every route that manages keys or sessions, and Better Auth takes none for the account", async () => {
    const created = await fetch(`${base()}/api/keys`, {
      method: "POST",
      headers: owner.headers({ "content-type": "application/json" }),
      body: JSON.stringify({ name: "sweep" }),
    });
    const { key } = (await created.json()) as { key: { id: string; secret: string } };
    const bearer = { authorization: `Bearer ${key.secret}`, "content-type": "application/json" };
    const keyRoutes = userRoutes.filter((r) => /^\/api\/(keys|sessions)(\/|$)/.test(r.path));
    expect(keyRoutes.length).toBeGreaterThanOrEqual(5);
    const answers = await Promise.all(
      keyRoutes.map(async (route) => {
        const path = concretePath(route, { ...ids, id: key.id, sid: "s-unknown" });
        const response = await fetch(`${base()}${path}`, {
          method: route.method,
          headers: bearer,
          ...(route.method !== "GET" && route.method !== "DELETE" && { body: '{"name":"another"}' }),
        });
        return `${route.method} ${route.path} -> ${response.status}`;
      }),
    );
    expect(answers.filter((a) => !a.endsWith("-> 403"))).toEqual([]);
    const accountCalls: [endpoint: string, body: object][] = [
      ["change-password", { currentPassword: owner.password, newPassword: "a-new-password-123" }],
      ["change-email", { newEmail: `taken-${randomUUID()}@example.com` }],
      ["delete-user", { password: owner.password }],
      ["revoke-sessions", {}],
      ["update-user", { name: "Renamed by a key" }],
    ];
    const account = await Promise.all(
      accountCalls.map(async ([endpoint, body]) => {
        const response = await fetch(`${base()}/api/auth/${endpoint}`, { method: "POST", headers: bearer, body: JSON.stringify(body) });
        return `${endpoint} -> ${response.status}`;
      }),
    );
    expect(account.filter((a) => !/-> (401|403)$/.test(a))).toEqual([]);
    // The key still works where keys are meant to, and it was not revoked by the attempts.
    expect((await fetch(`${base()}/api/agent`, { headers: bearer })).status).toBe(200);
  });

  it("refuses NUL and a right-to-left override in every name and title a user sets, changing nothing", async () => {
    const before = await ownerState();
    // Each route with the rest of a valid body, so a 400 can only be the name's.
    const named: [method: string, path: string, body: (name: string) => object][] = [
      ["POST", "/api/agent", (name) => ({ name })],
      ["PATCH", `/api/agent/${ids.id}`, (name) => ({ name })],
      ["POST", `/api/agent/${ids.id}/threads`, (title) => ({ title })],
      ["PATCH", `/api/agent/${ids.id}/threads/${ids.tid}`, (title) => ({ title })],
      ["POST", "/api/teams", (name) => ({ name, slug: `s-${randomUUID().slice(0, 8)}` })],
      ["PATCH", `/api/teams/${ids.teamId}`, (name) => ({ name })],
      ["POST", `/api/teams/${ids.teamId}/roles`, (name) => ({ name, permissions: [] })],
      ["POST", "/api/keys", (name) => ({ name })],
    ];
    const send = (method: string, path: string, body: object) =>
      fetch(`${base()}${path}`, { method, headers: owner.headers({ "content-type": "application/json" }), body: JSON.stringify(body) });
    const answers = await Promise.all(
      named.flatMap(([method, path, body]) =>
        ["evil\u0000name", "invoice\u202Efdp.exe"].map(
          async (value) => `${method} ${path} ${JSON.stringify(value)} -> ${(await send(method, path, body(value))).status}`,
        ),
      ),
    );
    expect(answers.filter((a) => !a.endsWith("-> 400"))).toEqual([]);
    expect(await ownerState()).toBe(before);
    // The same bodies with a plain name are accepted.
    const plain = await Promise.all(
      named.map(async ([method, path, body]) => `${method} ${path} -> ${(await send(method, path, body("Plain name"))).status}`),
    );
    expect(plain.filter((a) => !/-> 20[01]$/.test(a))).toEqual([]);
  });
});

/*
 * A user an admin has banned, on a Worker of its own (ADMIN_EMAILS names the admin): every user route answers 401
 * to the cookie and to the API key they had before the ban, with their own ids in the paths, so a route that forgot
 * the check would act on their own data; the /ws/ agent routes refuse them too. Nothing of theirs changes.
 */
describe("a banned user, with the session and API key they had before the ban", () => {
  const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;
  let worker: TestWorker;
  let admin: TestUser;
  let banned: TestUser;
  let bannedId: string;
  let bearer: Record<string, string>;
  let own: Record<string, string>;
  let keyId: string;
  /** `:id` names the agent, except under /api/keys and /api/sessions. */
  const idFor = (path: string) => (path.startsWith("/api/sessions/") ? own.sessionId! : path.startsWith("/api/keys/") ? keyId : own.id!);

  const post = (user: TestUser, path: string, body: unknown, method = "POST") =>
    worker.fetch(path, { method, headers: user.headers({ "content-type": "application/json" }), body: JSON.stringify(body) });
  const get = async (path: string, headers: Record<string, string>) => {
    const response = await worker.fetch(path, { headers });
    return `${response.status} ${await response.text()}`;
  };
  /** Everything of theirs a route could change, as one string. */
  const state = async (headers: Record<string, string>) =>
    (
      await Promise.all(
        [
          `/api/agent`,
          `/api/agent/${own.id}`,
          `/api/agent/${own.id}/threads`,
          `/api/agent/${own.id}/threads/${own.tid}/messages`,
          `/api/agent/${own.id}/memory`,
          `/api/agent/${own.id}/schedules`,
          `/api/agent/${own.id}/tasks`,
          `/api/agent/${own.id}/secrets`,
          `/api/teams`,
          `/api/teams/${own.teamId}`,
          `/api/teams/${own.teamId}/members`,
          `/api/teams/${own.teamId}/roles`,
          `/api/teams/${own.teamId}/invitations`,
          `/api/credits`,
        ].map((path) => get(path, headers)),
      )
    ).join("\n");

  beforeAll(async () => {
    worker = await startTestWorker({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } });
    admin = await signUpUser(worker.url, { email: ADMIN_EMAIL, name: "Ada Admin" });
    banned = await signUpVerifiedUser(worker.url, { name: "Soon Banned" });
    bannedId = ((await (await worker.fetch("/api/me", { headers: banned.headers() })).json()) as { user: { id: string } }).user.id;
    const key = (await (await post(banned, "/api/keys", { name: "before the ban" })).json()) as { key: { id: string; secret: string } };
    bearer = { authorization: `Bearer ${key.key.secret}` };
    keyId = key.key.id;
    const agentId = ((await (await worker.fetch("/api/agent", { headers: banned.headers() })).json()) as { agents: { id: string }[] })
      .agents[0]!.id;
    const thread = (await (await post(banned, `/api/agent/${agentId}/threads`, { title: "Before the ban" })).json()) as { id: string };
    const note = (await (await post(banned, `/api/agent/${agentId}/memory`, { text: "a note from before the ban" })).json()) as {
      id: string;
    };
    const team = (await (
      await post(banned, "/api/teams", { name: "Banned's team", slug: `banned-${randomUUID().slice(0, 8)}` })
    ).json()) as { id: string };
    const sessions = (await (await worker.fetch("/api/sessions", { headers: banned.headers() })).json()) as { sessions: { id: string }[] };
    own = {
      id: agentId,
      tid: thread.id,
      noteId: note.id,
      pid: "p-unknown",
      port: "3000",
      taskId: "t-unknown",
      sid: "s-unknown",
      teamId: team.id,
      userId: bannedId,
      roleId: "role-unknown",
      invitationId: "i-unknown",
      token: "t-unknown",
    };
    for (const [name, value] of Object.entries({
      agent: agentId,
      thread: thread.id,
      note: note.id,
      team: team.id,
      session: sessions.sessions[0]?.id,
    })) {
      expect(value, name).toBeTruthy();
    }
    own.sessionId = sessions.sessions[0]!.id;
  }, 180_000);

  afterAll(() => worker?.dispose());

  it("answers 401 on every user route to their old cookie and their API key, and nothing of theirs changes", async () => {
    const before = await state(bearer);
    expect(before).not.toMatch(/^[45]\d\d /m);
    const ban = await post(admin, `/api/admin/users/${bannedId}/ban`, { reason: "Abuse" });
    expect(ban.status, await ban.text()).toBe(200);

    const answers: string[] = [];
    for (const [label, headers] of [
      ["cookie", banned.headers()],
      ["API key", { ...bearer, origin: worker.url }],
    ] as const) {
      for (const route of userRoutes) {
        const path = concretePath(route, { ...own, id: idFor(route.path) });
        const response = await worker.fetch(path, {
          method: route.method,
          headers: { "content-type": "application/json", ...headers },
          ...(route.method !== "GET" && route.method !== "DELETE" && { body: "{}" }),
        });
        const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
        answers.push(`${label}: ${route.method} ${route.path} -> ${response.status} ${body?.error?.code ?? "no JSON error"}`);
      }
    }
    expect(answers.length).toBe(userRoutes.length * 2);
    expect(answers.filter((a) => !a.endsWith("-> 401 unauthorized"))).toEqual([]);

    // Unbanned, the API key works again and shows everything exactly as it was before the ban.
    expect((await worker.fetch(`/api/admin/users/${bannedId}/ban`, { method: "DELETE", headers: admin.headers() })).status).toBe(200);
    expect(await state(bearer)).toBe(before);
  });

  it("refuses their WebSocket and HTTP requests on the /ws/ agent routes, with the cookie and the API key", async () => {
    expect((await post(admin, `/api/admin/users/${bannedId}/ban`, { reason: "Abuse" })).status).toBe(200);
    const answers: string[] = [];
    for (const path of [`/ws/agent/${own.id}`, `/ws/thread/${own.id}-${own.tid}`]) {
      for (const [label, headers] of [
        ["cookie", banned.headers()],
        ["API key", bearer],
      ] as const) {
        const upgrade = await rawRequest(`${worker.url}${path}`, { headers: { ...headers, ...WEBSOCKET_UPGRADE_HEADERS } });
        answers.push(`${label} upgrade ${path} -> ${upgrade.status}`);
        const http = await worker.fetch(path, { headers });
        answers.push(`${label} GET ${path} -> ${http.status}`);
        await http.body?.cancel();
      }
    }
    expect(answers.filter((a) => !a.endsWith("-> 401"))).toEqual([]);
  });

  it("closes the chat and agent WebSockets they had open before the ban at their next message", async () => {
    expect((await worker.fetch(`/api/admin/users/${bannedId}/ban`, { method: "DELETE", headers: admin.headers() })).status).toBe(200);
    const signIn = await worker.fetch("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: worker.url, "cf-connecting-ip": "198.51.100.91" },
      body: JSON.stringify({ email: banned.email, password: banned.password }),
    });
    expect(signIn.status).toBe(200);
    const cookie = signIn.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const withCookie = { cookie, origin: worker.url };
    const sockets: [string, ChatSocket][] = [];
    for (const [label, headers] of [
      ["cookie", withCookie],
      ["API key", bearer],
    ] as const) {
      sockets.push([`${label} thread`, await ChatSocket.open(`${worker.url}/ws/thread/${own.id}-${own.tid}`, headers)]);
      sockets.push([`${label} agent`, await ChatSocket.open(`${worker.url}/ws/agent/${own.id}`, headers)]);
    }
    // Open and answering before the ban: an RPC for a method that does not exist gets its error answer.
    const rpc = (socket: ChatSocket, id: string) => socket.send({ type: AgentMessageType.RPC, id, method: "noSuchMethod", args: [] });
    for (const [label, socket] of sockets) {
      rpc(socket, "before");
      await socket.waitFor((f) => f.type === AgentMessageType.RPC && f.id === "before", 10_000, `${label}: an RPC answer`);
    }

    expect((await post(admin, `/api/admin/users/${bannedId}/ban`, { reason: "Abuse" })).status).toBe(200);
    for (const [label, socket] of sockets) {
      if (label.endsWith("thread")) socket.sendMessage("after the ban");
      rpc(socket, "after");
    }
    const deadline = Date.now() + 10_000;
    while (sockets.some(([, s]) => !s.closed) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(sockets.filter(([, s]) => !s.closed).map(([label]) => label)).toEqual([]);
    const answered = sockets.filter(([, s]) =>
      s.frames.some((f) => f.type === ChatMessageType.CF_AGENT_USE_CHAT_RESPONSE || (f.type === AgentMessageType.RPC && f.id === "after")),
    );
    expect(answered.map(([label]) => label)).toEqual([]);
    expect((await worker.fetch(`/api/admin/users/${bannedId}/ban`, { method: "DELETE", headers: admin.headers() })).status).toBe(200);
    const messages = await get(`/api/agent/${own.id}/threads/${own.tid}/messages`, bearer);
    expect(messages).toMatch(/^200 /);
    expect(messages).not.toContain("after the ban");
  });
});
