import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_ROUTES, type ApiRoute } from "../../src/lib/api/routes.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

/*
 * The admin panel against a Worker of its own (ADMIN_EMAILS names the admin). The 404 sweep walks every admin route
 * in the route table (src/lib/api/routes.ts) and every admin page, so a route added later is covered here too.
 */

const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;
const ADMIN_PAGES = [
  "/admin",
  "/admin/users",
  "/admin/users/:id",
  "/admin/accounts",
  "/admin/accounts/:accountId",
  "/admin/agents",
  "/admin/models",
  "/admin/analytics",
  "/admin/audit",
  "/admin/health",
];
const adminRoutes = API_ROUTES.filter((r) => r.access === "admin");

let worker: TestWorker;
let admin: TestUser;
let plain: TestUser;
let ids: Record<string, string>;

const json = (init: { method?: string; body?: unknown; user: TestUser | null; headers?: Record<string, string> }): RequestInit => {
  const headers: Record<string, string> = { "content-type": "application/json", ...init.headers };
  return {
    method: init.method ?? "GET",
    headers: init.user ? init.user.headers(headers) : { ...headers, origin: worker.url },
    ...(init.body !== undefined && { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
  };
};

const concrete = (path: string) => path.replace(/:(\w+)/g, (_, name: string) => ids[name] ?? `unknown-${name}`);

async function call(
  route: ApiRoute,
  user: TestUser | null,
  extra: { headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const withBody = route.method !== "GET" && route.method !== "DELETE";
  return worker.fetch(
    concrete(route.path),
    json({ method: route.method, user, ...(extra.headers && { headers: extra.headers }), ...(withBody && { body: extra.body ?? "{}" }) }),
  );
}

async function me(headers: Record<string, string>): Promise<Response> {
  return worker.fetch("/api/me", { headers });
}

beforeAll(async () => {
  worker = await startTestWorker({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } });
  admin = await signUpUser(worker.url, { email: ADMIN_EMAIL, name: "Ada Admin" });
  plain = await signUpVerifiedUser(worker.url, { name: "Plain Pat" });
  const found = (await (await worker.fetch(`/api/admin/users?q=${encodeURIComponent(plain.email)}`, json({ user: admin }))).json()) as {
    users: { id: string }[];
  };
  const agents = (await (await worker.fetch("/api/agent", { headers: plain.headers() })).json()) as { agents: { id: string }[] };
  ids = { id: found.users[0]!.id, sid: "s-unknown", taskId: "t-unknown", tid: "aaaaaaaaaaaa" };
  ids.agentId = agents.agents[0]!.id;
  ids.accountId = (
    (await (await worker.fetch("/api/me", { headers: plain.headers() })).json()) as { personalAccountId: string }
  ).personalAccountId;
}, 180_000);

afterAll(() => worker?.dispose());

describe("admin routes and pages for everyone but admins", () => {
  async function callers(): Promise<{ label: string; user: TestUser | null; bearer?: string }[]> {
    const list: { label: string; user: TestUser | null; bearer?: string }[] = [
      { label: "signed out", user: null },
      { label: "a user", user: plain },
    ];
    const key = await worker.fetch("/api/keys", json({ method: "POST", user: plain, body: { name: "sweep" } }));
    list.push({ label: "a user's API key", user: null, bearer: ((await key.json()) as { key: { secret: string } }).key.secret });
    const owner = await signUpVerifiedUser(worker.url, { name: "Team Owner" });
    const team = await worker.fetch(
      "/api/teams",
      json({ method: "POST", user: owner, body: { name: "Owners", slug: `owners-${randomUUID().slice(0, 8)}` } }),
    );
    expect(team.status).toBe(201);
    list.push({ label: "a team owner", user: owner });
    return list;
  }

  it("answers 404 JSON to every admin route from the route table, and changes nothing", async () => {
    expect(adminRoutes.length).toBeGreaterThan(10);
    const auditBefore = await (await worker.fetch("/api/admin/audit", json({ user: admin }))).text();
    const answers: string[] = [];
    for (const caller of await callers()) {
      const headers = caller.bearer ? { authorization: `Bearer ${caller.bearer}` } : undefined;
      for (const route of adminRoutes) {
        const response = await call(route, caller.user, { ...(headers && { headers }) });
        const body = (await response.json().catch(() => null)) as { error?: { code?: string } } | null;
        answers.push(`${caller.label}: ${route.method} ${route.path} -> ${response.status} ${body?.error?.code ?? "no JSON error"}`);
      }
    }
    expect(answers.filter((a) => !a.endsWith("-> 404 not_found"))).toEqual([]);
    expect(await (await worker.fetch("/api/admin/audit", json({ user: admin }))).text()).toBe(auditBefore);
    const plainNow = (await (await me(plain.headers())).json()) as { user: { role: string } };
    expect(plainNow.user.role).toBe("user");
  });

  it("answers 404 to every admin page for non-admins, and shows them to the admin", async () => {
    const answers: string[] = [];
    for (const caller of await callers()) {
      if (caller.bearer) continue;
      for (const page of ADMIN_PAGES) {
        const response = await worker.fetch(concrete(page), { headers: caller.user ? caller.user.headers() : {}, redirect: "manual" });
        answers.push(`${caller.label}: ${page} -> ${response.status}`);
      }
    }
    expect(answers.filter((a) => !a.endsWith("-> 404"))).toEqual([]);
    for (const page of ADMIN_PAGES) {
      const response = await worker.fetch(concrete(page), { headers: admin.headers(), redirect: "manual" });
      expect(`${page} -> ${response.status}`).toBe(`${page} -> 200`);
    }
  });

  it("closes Better Auth's own admin endpoints over HTTP, even to the admin, so every admin action is audited", async () => {
    const id = ids.id!;
    const attempts = [
      ["/api/auth/admin/ban-user", { userId: id }],
      ["/api/auth/admin/set-role", { userId: id, role: "admin" }],
      ["/api/auth/admin/impersonate-user", { userId: id }],
      ["/api/auth/admin/remove-user", { userId: id }],
    ] as const;
    for (const caller of [admin, plain]) {
      const statuses = await Promise.all(
        attempts.map(
          async ([path, body]) => `${path} -> ${(await worker.fetch(path, json({ method: "POST", user: caller, body }))).status}`,
        ),
      );
      expect(statuses.filter((s) => !s.endsWith("-> 404"))).toEqual([]);
    }
    const still = (await (await me(plain.headers())).json()) as { user: { role: string } };
    expect(still.user.role).toBe("user");
  });

  it("answers the admin a clear 400 for malformed JSON bodies and 403 for a cross-site write", async () => {
    const answers: string[] = [];
    for (const route of adminRoutes.filter((r) => r.body === "json")) {
      for (const body of ["{not json", "[]", JSON.stringify({ unexpected: "<script>alert(1)</script>" })]) {
        const response = await call(route, admin, { body });
        const message = ((await response.json().catch(() => ({}))) as { error?: { message?: string } }).error?.message ?? "";
        answers.push(`${route.method} ${route.path} ${body.slice(0, 10)} -> ${response.status}${message ? "" : " without a message"}`);
      }
    }
    expect(answers.filter((a) => !a.endsWith("-> 400"))).toEqual([]);
    const writes = adminRoutes.filter((r) => r.method !== "GET");
    const crossSite = await Promise.all(
      writes.map(async (r) => `${r.method} ${r.path} -> ${(await call(r, admin, { headers: { origin: "https://evil.example" } })).status}`),
    );
    expect(crossSite.filter((a) => !a.endsWith("-> 403"))).toEqual([]);
  });
});

describe("admin actions", () => {
  const adminCall = (path: string, method = "GET", body?: unknown) =>
    worker.fetch(path, json({ method, user: admin, ...(body !== undefined && { body }) }));

  async function auditActions(targetId: string): Promise<{ action: string; actorEmail: string; detail: Record<string, unknown> }[]> {
    const response = await adminCall(`/api/admin/audit?targetId=${encodeURIComponent(targetId)}`);
    return ((await response.json()) as { entries: { action: string; actorEmail: string; detail: Record<string, unknown> }[] }).entries;
  }

  it("finds users by part of their email or name, a page at a time", async () => {
    const tag = randomUUID().slice(0, 8);
    const made = await Promise.all([1, 2, 3].map((n) => signUpUser(worker.url, { name: `Searchable ${tag} ${n}` })));
    const byName = (await (await adminCall(`/api/admin/users?q=${tag.toUpperCase()}&pageSize=2`)).json()) as {
      users: { email: string }[];
      total: number;
    };
    expect(byName.total).toBe(3);
    expect(byName.users).toHaveLength(2);
    const second = (await (await adminCall(`/api/admin/users?q=${tag}&pageSize=2&page=2`)).json()) as { users: { email: string }[] };
    expect(new Set([...byName.users, ...second.users].map((u) => u.email))).toEqual(new Set(made.map((u) => u.email)));
    const byEmail = (await (await adminCall(`/api/admin/users?q=${encodeURIComponent(made[0]!.email.slice(0, 14))}`)).json()) as {
      users: { email: string }[];
    };
    expect(byEmail.users.map((u) => u.email)).toEqual([made[0]!.email]);
    const wildcard = (await (await adminCall(`/api/admin/users?q=%25`)).json()) as { total: number };
    expect(wildcard.total).toBe(0);
  });

  it("bans a user: their session and API key stop on the next request, sign-in is refused, and unbanning lets them back", async () => {
    const victim = await signUpVerifiedUser(worker.url, { name: "Soon Banned" });
    const victimId = (await (await me(victim.headers())).json()) as { user: { id: string } };
    const key = (await (await worker.fetch("/api/keys", json({ method: "POST", user: victim, body: { name: "cli" } }))).json()) as {
      key: { secret: string };
    };
    const bearer = { authorization: `Bearer ${key.key.secret}` };
    expect((await me(bearer)).status).toBe(200);

    const ban = await adminCall(`/api/admin/users/${victimId.user.id}/ban`, "POST", { reason: "Spamming other users" });
    expect(ban.status).toBe(200);
    expect((await me(victim.headers())).status).toBe(401);
    expect((await me(bearer)).status).toBe(401);
    const signIn = await worker.fetch("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: worker.url, "cf-connecting-ip": "198.51.100.7" },
      body: JSON.stringify({ email: victim.email, password: victim.password }),
    });
    expect(signIn.status).toBeGreaterThanOrEqual(400);
    const details = (await (await adminCall(`/api/admin/users/${victimId.user.id}`)).json()) as {
      user: { banned: boolean; banReason: string };
      sessions: unknown[];
    };
    expect(details.user).toMatchObject({ banned: true, banReason: "Spamming other users" });
    expect(details.sessions).toEqual([]);

    expect((await adminCall(`/api/admin/users/${victimId.user.id}/ban`, "DELETE")).status).toBe(200);
    expect((await me(bearer)).status).toBe(200);
    const again = await worker.fetch("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: worker.url, "cf-connecting-ip": "198.51.100.8" },
      body: JSON.stringify({ email: victim.email, password: victim.password }),
    });
    expect(again.status).toBe(200);
    expect((await auditActions(victimId.user.id)).map((e) => e.action)).toEqual(["user.unban", "user.ban"]);
  });

  it("refuses to let an admin ban themselves or revoke their own admin role", async () => {
    const self = ((await (await me(admin.headers())).json()) as { user: { id: string } }).user.id;
    expect((await adminCall(`/api/admin/users/${self}/ban`, "POST", { reason: "oops" })).status).toBe(400);
    expect((await adminCall(`/api/admin/users/${self}/role`, "PUT", { role: "user" })).status).toBe(400);
    expect((await adminCall("/api/admin/users")).status).toBe(200);
  });

  it("makes a user an admin and revokes it, with immediate effect on the admin routes", async () => {
    const helper = await signUpUser(worker.url, { name: "Helper" });
    const id = ((await (await me(helper.headers())).json()) as { user: { id: string } }).user.id;
    expect((await worker.fetch("/api/admin/users", { headers: helper.headers() })).status).toBe(404);
    expect((await adminCall(`/api/admin/users/${id}/role`, "PUT", { role: "admin" })).status).toBe(200);
    expect((await worker.fetch("/api/admin/users", { headers: helper.headers() })).status).toBe(200);
    expect((await adminCall(`/api/admin/users/${id}/role`, "PUT", { role: "user" })).status).toBe(200);
    expect((await worker.fetch("/api/admin/users", { headers: helper.headers() })).status).toBe(404);
    expect((await auditActions(id)).map((e) => [e.action, e.detail.to])).toEqual([
      ["user.role", "user"],
      ["user.role", "admin"],
    ]);
  });

  it("adjusts credits only with a reason: the user's ledger shows an adjustment with the reason and the admin", async () => {
    const id = ids.id!;
    expect((await adminCall(`/api/admin/users/${id}/credits`, "POST", { credits: 25 })).status).toBe(400);
    expect((await adminCall(`/api/admin/users/${id}/credits`, "POST", { credits: 25, reason: "   " })).status).toBe(400);
    const before = ((await (await worker.fetch("/api/credits", { headers: plain.headers() })).json()) as { balance: number }).balance;
    const added = await adminCall(`/api/admin/users/${id}/credits`, "POST", { credits: 25.5, reason: "Goodwill for the outage on Monday" });
    expect(added.status).toBe(201);
    expect(((await added.json()) as { credits: number }).credits).toBe(before + 25.5);
    const ledger = (await (await worker.fetch("/api/credits/transactions?kind=adjustment", { headers: plain.headers() })).json()) as {
      transactions: { kind: string; amount: number; reason: string }[];
    };
    expect(ledger.transactions[0]).toMatchObject({ kind: "adjustment", amount: 25.5, reason: "Goodwill for the outage on Monday" });
    const tooMuch = await adminCall(`/api/admin/users/${id}/credits`, "POST", { credits: -1_000_000, reason: "Clawback" });
    expect(tooMuch.status).toBe(400);
    const details = (await (await adminCall(`/api/admin/users/${id}`)).json()) as {
      ledger: { reason: string; actorUserId: string | null }[];
    };
    const adminId = ((await (await me(admin.headers())).json()) as { user: { id: string } }).user.id;
    expect(details.ledger[0]).toMatchObject({ reason: "Goodwill for the outage on Monday", actorUserId: adminId });
    const audit = await auditActions(id);
    expect(audit[0]).toMatchObject({
      action: "user.credits_adjusted",
      actorEmail: ADMIN_EMAIL,
      detail: { credits: 25.5, reason: "Goodwill for the outage on Monday" },
    });
  });

  it("revokes one session or all of a user's sessions at once", async () => {
    const user = await signUpUser(worker.url);
    const id = ((await (await me(user.headers())).json()) as { user: { id: string } }).user.id;
    const second = await worker.fetch("/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: worker.url, "cf-connecting-ip": "198.51.100.9" },
      body: JSON.stringify({ email: user.email, password: user.password }),
    });
    const secondCookie = second.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const sessions = ((await (await adminCall(`/api/admin/users/${id}`)).json()) as { sessions: { id: string; createdAt: string }[] })
      .sessions;
    expect(sessions).toHaveLength(2);
    const newest = sessions[0]!;
    expect((await adminCall(`/api/admin/users/${id}/sessions/${newest.id}`, "DELETE")).status).toBe(200);
    expect((await me({ cookie: secondCookie })).status).toBe(401);
    expect((await me(user.headers())).status).toBe(200);
    expect((await adminCall(`/api/admin/users/${id}/sessions`, "DELETE")).status).toBe(200);
    expect((await me(user.headers())).status).toBe(401);
  });

  it("adds, edits and disables a model: a disabled model cannot be chosen and says so clearly", async () => {
    const id = `test-model-${randomUUID().slice(0, 6)}:7b`;
    const created = await adminCall("/api/admin/models", "POST", {
      id,
      label: "Test model 7B",
      provider: "openai-compatible",
      inputMillicreditsPer1k: 100,
      outputMillicreditsPer1k: 300,
      contextWindowTokens: 32768,
    });
    expect(created.status).toBe(201);
    expect(
      (
        await adminCall("/api/admin/models", "POST", {
          id,
          label: "Again",
          provider: "x",
          inputMillicreditsPer1k: 1,
          outputMillicreditsPer1k: 1,
          contextWindowTokens: 4096,
        })
      ).status,
    ).toBe(409);
    const edited = await adminCall("/api/admin/models", "PATCH", { id, changes: { outputMillicreditsPer1k: 450 } });
    expect(((await edited.json()) as { outputMillicreditsPer1k: number }).outputMillicreditsPer1k).toBe(450);

    const agent = await worker.fetch("/api/agent", json({ method: "POST", user: plain, body: { name: "On the test model", model: id } }));
    expect(agent.status).toBe(201);
    const agentId = ((await agent.json()) as { id: string }).id;

    expect((await adminCall("/api/admin/models", "PATCH", { id, changes: { enabled: false } })).status).toBe(200);
    const refused = await worker.fetch("/api/agent", json({ method: "POST", user: plain, body: { name: "Too late", model: id } }));
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain("has been disabled");
    const turn = await worker.fetch(`/api/agent/${agentId}/threads`, json({ method: "POST", user: plain, body: { title: "Still here" } }));
    const threadId = ((await turn.json()) as { id: string }).id;
    const message = await worker.fetch(
      `/api/agent/${agentId}/threads/${threadId}/messages`,
      json({ method: "POST", user: plain, body: { text: "hello" }, headers: { accept: "application/json" } }),
    );
    expect(JSON.stringify(await message.json())).toContain("has been disabled");
    expect((await auditActions(id)).map((e) => e.action)).toEqual(["model.update", "model.update", "model.create"]);
  });

  it("lists agents across the platform with their owner and usage", async () => {
    const listed = (await (await adminCall(`/api/admin/agents?q=${encodeURIComponent(plain.email)}`)).json()) as {
      agents: { id: string; owner: string; creditsUsed: number }[];
      total: number;
    };
    expect(listed.agents.map((a) => a.id)).toContain(ids.agentId);
    expect(listed.agents.every((a) => a.owner === plain.email)).toBe(true);
    const tasks = await adminCall(`/api/admin/agents/${ids.agentId}/tasks`);
    expect(tasks.status).toBe(200);
    expect((await adminCall(`/api/admin/agents/${ids.agentId}/tasks/t-unknown`, "DELETE")).status).toBe(404);
  });

  it("reports the platform per day: today's sign-ups and credits granted are counted", async () => {
    const report = (await (await adminCall("/api/admin/analytics?days=7")).json()) as {
      days: { day: string; signUps: number; activeUsers: number; creditsGranted: number }[];
      totals: { users: number };
    };
    expect(report.days).toHaveLength(7);
    const today = report.days.at(-1)!;
    expect(today.day).toBe(new Date().toISOString().slice(0, 10));
    expect(today.signUps).toBeGreaterThanOrEqual(2);
    expect(today.activeUsers).toBeGreaterThanOrEqual(1);
    expect(today.creditsGranted).toBeGreaterThanOrEqual(25.5);
    expect(report.totals.users).toBeGreaterThanOrEqual(today.signUps);
  });

  it("impersonates a user with the admin's session kept aside, audits it, and returns to the admin", async () => {
    const target = await signUpUser(worker.url, { name: "Impersonated" });
    const id = ((await (await me(target.headers())).json()) as { user: { id: string } }).user.id;
    const started = await adminCall(`/api/admin/users/${id}/impersonate`, "POST", {});
    expect(started.status).toBe(200);
    expect(JSON.stringify(await started.json())).not.toContain("token");
    const jar = new Map(admin.cookie.split("; ").map((c) => [c.split("=")[0]!, c] as const));
    for (const c of started.headers.getSetCookie()) jar.set(c.split("=")[0]!, c.split(";")[0]!);
    const cookie = [...jar.values()].join("; ");
    const as = (await (await me({ cookie })).json()) as { user: { email: string } };
    expect(as.user.email).toBe(target.email);
    expect((await worker.fetch("/api/admin/users", { headers: { cookie } })).status).toBe(404);
    const sessions = ((await (await adminCall(`/api/admin/users/${id}`)).json()) as { sessions: { impersonatedBy: string | null }[] })
      .sessions;
    expect(sessions.some((s) => s.impersonatedBy !== null)).toBe(true);

    const stopped = await worker.fetch("/api/auth/admin/stop-impersonating", {
      method: "POST",
      headers: { cookie, origin: worker.url, "content-type": "application/json" },
      body: "{}",
    });
    expect(stopped.status).toBe(200);
    for (const c of stopped.headers.getSetCookie()) jar.set(c.split("=")[0]!, c.split(";")[0]!);
    const back = (await (await me({ cookie: [...jar.values()].join("; ") })).json()) as { user: { email: string } };
    expect(back.user.email).toBe(ADMIN_EMAIL);
    expect((await auditActions(id))[0]).toMatchObject({ action: "user.impersonate", actorEmail: ADMIN_EMAIL });
  });
});
