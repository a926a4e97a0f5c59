import { beforeAll, describe, expect, inject, it } from "vitest";
import { API_ROUTES, type ApiRoute } from "../../src/lib/api/routes.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

/*
 * Walks every /api route in the route table (src/lib/api/routes.ts), so a route added later is covered without
 * touching this file: without credentials, with another user's credentials, and with malformed bodies.
 */

const base = () => inject("workerUrl");
let owner: TestUser;
let stranger: TestUser;
let ids: Record<string, string>;

// Admin routes answer 404 to every non-admin; tests/integration/admin-access.test.ts sweeps them.
const userRoutes = API_ROUTES.filter((r) => r.access === "user");

function concretePath(route: ApiRoute): string {
  return route.path.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? `unknown-${name}`).replace("*", "anything");
}

async function call(route: ApiRoute, user: TestUser | null, body?: string): Promise<Response> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  return fetch(`${base()}${concretePath(route)}`, {
    method: route.method,
    headers: user ? user.headers(headers) : { ...headers, origin: base() },
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
  const thread = await fetch(`${base()}/api/agent/${agentId}/threads`, { method: "POST", headers: owner.headers({ "content-type": "application/json" }), body: JSON.stringify({ title: "Owner's thread" }) });
  const threadId = ((await thread.json()) as { id: string }).id;
  const note = await fetch(`${base()}/api/agent/${agentId}/memory`, { method: "POST", headers: owner.headers({ "content-type": "application/json" }), body: JSON.stringify({ text: "owner's note" }) });
  const noteId = ((await note.json()) as { id: string }).id;
  const team = await fetch(`${base()}/api/teams`, { method: "POST", headers: owner.headers({ "content-type": "application/json" }), body: JSON.stringify({ name: "Sweep team", slug: `sweep-${crypto.randomUUID().slice(0, 8)}` }) });
  const teamId = ((await team.json()) as { id: string }).id;
  ids = {
    id: agentId, tid: threadId, noteId, pid: "p-unknown", port: "3000", taskId: "t-unknown", sid: "s-unknown",
    teamId, userId: "u-unknown", roleId: "role-unknown", invitationId: "i-unknown", token: "t-unknown",
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
    const answers = await Promise.all(scoped.map(async (route) => `${route.method} ${route.path} -> ${(await call(route, stranger)).status}`));
    expect(answers.filter((a) => !a.endsWith("-> 404"))).toEqual([]);
    expect(await ownerState()).toBe(before);
  });

  it("answers a clear 400 to malformed JSON bodies and changes nothing", async () => {
    const before = await ownerState();
    const jsonRoutes = userRoutes.filter((r) => r.body === "json");
    expect(jsonRoutes.length).toBeGreaterThan(5);
    const answers = await Promise.all(
      jsonRoutes.map(async (route) => {
        const responses = await Promise.all(["{not json", "[]", JSON.stringify({ unexpected: "<script>alert(1)</script>".repeat(3) })].map((body) => call(route, owner, body)));
        const statuses = responses.map((r) => r.status);
        const messages = await Promise.all(responses.map(async (r) => ((await r.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message ?? ""));
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
