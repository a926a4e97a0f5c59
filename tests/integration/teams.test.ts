import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILT_IN_ROLE_PERMISSIONS, type Permission } from "../../src/lib/teams/permissions.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { ChatSocket } from "../support/chat-socket.ts";
import { shifted, SIMULATED_TODAYS } from "../support/simulated-today.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { type ApiInit, apiRequest } from "../support/http.ts";

const SEVEN_DAYS_MS = 7 * 24 * 3600 * 1000;

let stack: AgentStack;
const base = () => stack.worker.url;

interface Answer<T> {
  status: number;
  body: T;
}

function api<T = Record<string, unknown>>(user: TestUser, path: string, init: ApiInit = {}): Promise<Answer<T>> {
  return apiRequest<T>(base(), user, path, init);
}

async function must<T = Record<string, unknown>>(expected: number, answer: Promise<Answer<T>>): Promise<T> {
  const { status, body } = await answer;
  expect(status, JSON.stringify(body)).toBe(expected);
  return body;
}

async function invitationLink(email: string): Promise<string> {
  const response = await fetch(`${base()}/api/dev/mailbox?to=${encodeURIComponent(email)}`);
  const { messages } = (await response.json()) as { messages: { subject: string; links: string[] }[] };
  const link = messages.flatMap((m) => m.links).find((l) => decodeURIComponent(l).includes("/team/invite/"));
  if (!link) throw new Error(`no invitation email for ${email}`);
  return link;
}

const today = () => new Date().toISOString().slice(0, 10);
const tokenOf = (link: string) => decodeURIComponent(link).split("/team/invite/")[1]!;

async function createTeam(owner: TestUser, name = "Acme"): Promise<string> {
  const team = await must<{ id: string }>(
    201,
    api(owner, "/api/teams", { method: "POST", body: { name, slug: `acme-${randomUUID().slice(0, 8)}` } }),
  );
  return team.id;
}

/** Invites the user by email as the owner, then accepts through the link the email carries. */
async function join(owner: TestUser, teamId: string, user: TestUser, role: string): Promise<void> {
  await must(201, api(owner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: user.email, role } }));
  await must(200, api(user, `/api/teams/invitations/${tokenOf(await invitationLink(user.email))}/accept`, { method: "POST" }));
}

async function userId(user: TestUser): Promise<string> {
  return (await must<{ user: { id: string } }>(200, api(user, "/api/me"))).user.id;
}

beforeAll(async () => {
  stack = await startAgentStack();
}, 180_000);
afterAll(() => stack?.dispose());

describe("the permission matrix: every team route and team agent operation, for each role", () => {
  const CUSTOM: Permission[] = ["billing.view", "members.invite"];
  const roles = ["owner", "admin", "member", "custom"] as const;
  type Role = (typeof roles)[number];
  const users = {} as Record<Role | "stranger", TestUser>;
  let teamId: string;
  let agentId: string;
  let threadId: string;
  let customRoleId: string;
  const permissionsOf = (role: Role): readonly Permission[] => (role === "custom" ? CUSTOM : BUILT_IN_ROLE_PERMISSIONS[role]);

  beforeAll(async () => {
    const [owner, admin, member, custom, stranger] = await Promise.all([0, 1, 2, 3, 4].map(() => signUpVerifiedUser(base())));
    Object.assign(users, { owner: owner!, admin: admin!, member: member!, custom: custom!, stranger: stranger! });
    teamId = await createTeam(users.owner);
    customRoleId = (
      await must<{ id: string }>(
        201,
        api(users.owner, `/api/teams/${teamId}/roles`, { method: "POST", body: { name: "Billing clerk", permissions: CUSTOM } }),
      )
    ).id;
    await join(users.owner, teamId, users.admin, "admin");
    await join(users.owner, teamId, users.member, "member");
    await join(users.owner, teamId, users.custom, customRoleId);
    agentId = (
      await must<{ id: string }>(201, api(users.owner, "/api/agent", { method: "POST", account: teamId, body: { name: "Team agent" } }))
    ).id;
    threadId = (await must<{ id: string }>(201, api(users.owner, `/api/agent/${agentId}/threads`, { method: "POST", account: teamId }))).id;
  }, 120_000);

  /** One operation: the permission it needs (null: any member; "owner": the owner role itself) and the status it answers when allowed. */
  interface Operation {
    name: string;
    permission: Permission | null | "owner";
    allowed: number[];
    run(user: TestUser): Promise<number>;
  }

  const call =
    (
      method: string,
      path: (user: TestUser) => Promise<string> | string,
      body?: (user: TestUser) => Promise<unknown> | unknown,
      account = true,
    ) =>
    async (user: TestUser) =>
      (await api(user, await path(user), { method, account: account ? teamId : undefined, ...(body && { body: await body(user) }) }))
        .status;

  async function freshMember(): Promise<string> {
    const target = await signUpVerifiedUser(base());
    await join(users.owner, teamId, target, "member");
    return userId(target);
  }
  async function freshInvitation(): Promise<string> {
    const invited = await must<{ id: string }>(
      201,
      api(users.owner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: `x-${randomUUID()}@example.com` } }),
    );
    return invited.id;
  }
  async function freshRole(): Promise<string> {
    return (
      await must<{ id: string }>(
        201,
        api(users.owner, `/api/teams/${teamId}/roles`, {
          method: "POST",
          body: { name: `r-${randomUUID()}`, permissions: ["agents.use"] },
        }),
      )
    ).id;
  }
  async function freshAgent(): Promise<string> {
    return (await must<{ id: string }>(201, api(users.owner, "/api/agent", { method: "POST", account: teamId, body: { name: "Doomed" } })))
      .id;
  }
  async function socketStatus(user: TestUser, path: string): Promise<number> {
    try {
      const socket = await ChatSocket.open(`${base()}${path}`, user.headers());
      socket.close();
      return 101;
    } catch {
      return (await fetch(`${base()}${path}`, { headers: user.headers() })).status;
    }
  }

  const operations: Operation[] = [
    { name: "GET /api/teams/:teamId", permission: null, allowed: [200], run: call("GET", () => `/api/teams/${teamId}`) },
    {
      name: "PATCH /api/teams/:teamId",
      permission: "team.settings",
      allowed: [200],
      run: call(
        "PATCH",
        () => `/api/teams/${teamId}`,
        () => ({ name: "Acme" }),
      ),
    },
    // A wrong confirmation: an allowed caller gets past the permission check to a 400, and the team survives.
    {
      name: "DELETE /api/teams/:teamId",
      permission: "team.delete",
      allowed: [400],
      run: call(
        "DELETE",
        () => `/api/teams/${teamId}`,
        () => ({ confirm: "not-the-slug" }),
      ),
    },
    {
      name: "GET /api/teams/:teamId/tool-floor",
      permission: null,
      allowed: [200],
      run: call("GET", () => `/api/teams/${teamId}/tool-floor`),
    },
    // An empty floor: allowed callers change nothing that the other operations depend on.
    {
      name: "PUT /api/teams/:teamId/tool-floor",
      permission: "team.settings",
      allowed: [200],
      run: call(
        "PUT",
        () => `/api/teams/${teamId}/tool-floor`,
        () => ({ floor: {} }),
      ),
    },
    {
      name: "GET /api/teams/:teamId/mcp-allowlist",
      permission: null,
      allowed: [200],
      run: call("GET", () => `/api/teams/${teamId}/mcp-allowlist`),
    },
    // An empty allow-list: the team's default, so nothing else changes.
    {
      name: "PUT /api/teams/:teamId/mcp-allowlist",
      permission: "team.settings",
      allowed: [200],
      run: call(
        "PUT",
        () => `/api/teams/${teamId}/mcp-allowlist`,
        () => ({ servers: [] }),
      ),
    },
    { name: "GET /api/teams/:teamId/members", permission: null, allowed: [200], run: call("GET", () => `/api/teams/${teamId}/members`) },
    {
      name: "PATCH /api/teams/:teamId/members/:userId",
      permission: "members.roles",
      allowed: [204],
      run: call(
        "PATCH",
        async () => `/api/teams/${teamId}/members/${await freshMember()}`,
        () => ({ role: "admin" }),
      ),
    },
    {
      name: "DELETE /api/teams/:teamId/members/:userId",
      permission: "members.remove",
      allowed: [204],
      run: call("DELETE", async () => `/api/teams/${teamId}/members/${await freshMember()}`),
    },
    // Transferring to oneself: an owner gets past the owner check to a 409, and nothing changes.
    {
      name: "POST /api/teams/:teamId/transfer",
      permission: "owner",
      allowed: [409],
      run: call(
        "POST",
        () => `/api/teams/${teamId}/transfer`,
        async (user) => ({ userId: await userId(user) }),
      ),
    },
    {
      name: "GET /api/teams/:teamId/invitations",
      permission: "members.invite",
      allowed: [200],
      run: call("GET", () => `/api/teams/${teamId}/invitations`),
    },
    {
      name: "POST /api/teams/:teamId/invitations",
      permission: "members.invite",
      allowed: [201],
      run: call(
        "POST",
        () => `/api/teams/${teamId}/invitations`,
        () => ({ email: `y-${randomUUID()}@example.com`, role: customRoleId }),
      ),
    },
    {
      name: "DELETE /api/teams/:teamId/invitations/:invitationId",
      permission: "members.invite",
      allowed: [204],
      run: call("DELETE", async () => `/api/teams/${teamId}/invitations/${await freshInvitation()}`),
    },
    { name: "GET /api/teams/:teamId/roles", permission: null, allowed: [200], run: call("GET", () => `/api/teams/${teamId}/roles`) },
    {
      name: "POST /api/teams/:teamId/roles",
      permission: "members.roles",
      allowed: [201],
      run: call(
        "POST",
        () => `/api/teams/${teamId}/roles`,
        () => ({ name: `n-${randomUUID()}`, permissions: ["agents.use"] }),
      ),
    },
    {
      name: "PATCH /api/teams/:teamId/roles/:roleId",
      permission: "members.roles",
      allowed: [200],
      run: call(
        "PATCH",
        async () => `/api/teams/${teamId}/roles/${await freshRole()}`,
        () => ({ permissions: ["billing.view"] }),
      ),
    },
    {
      name: "DELETE /api/teams/:teamId/roles/:roleId",
      permission: "members.roles",
      allowed: [204],
      run: call("DELETE", async () => `/api/teams/${teamId}/roles/${await freshRole()}`),
    },
    {
      name: "GET /api/teams/:teamId/audit",
      permission: "audit.view",
      allowed: [200],
      run: call("GET", () => `/api/teams/${teamId}/audit`),
    },
    { name: "GET /api/agent", permission: "agents.use", allowed: [200], run: call("GET", () => "/api/agent") },
    {
      name: "POST /api/agent",
      permission: "agents.manage",
      allowed: [201],
      run: call(
        "POST",
        () => "/api/agent",
        () => ({ name: "Another" }),
      ),
    },
    { name: "GET /api/agent/:id", permission: "agents.use", allowed: [200], run: call("GET", () => `/api/agent/${agentId}`) },
    {
      name: "PATCH /api/agent/:id",
      permission: "agents.manage",
      allowed: [200],
      run: call(
        "PATCH",
        () => `/api/agent/${agentId}`,
        () => ({ name: "Team agent" }),
      ),
    },
    {
      name: "DELETE /api/agent/:id",
      permission: "agents.manage",
      allowed: [204],
      run: call("DELETE", async () => `/api/agent/${await freshAgent()}`),
    },
    {
      name: "GET /api/agent/:id/secrets",
      permission: "secrets.manage",
      allowed: [200],
      run: call("GET", () => `/api/agent/${agentId}/secrets`),
    },
    {
      name: "PUT /api/agent/:id/secrets",
      permission: "secrets.manage",
      allowed: [200],
      run: call(
        "PUT",
        () => `/api/agent/${agentId}/secrets`,
        () => ({ secrets: { MATRIX_TOKEN: "value-1234" } }),
      ),
    },
    {
      name: "DELETE /api/agent/:id/secrets",
      permission: "secrets.manage",
      allowed: [204, 404],
      run: call("DELETE", () => `/api/agent/${agentId}/secrets?name=MATRIX_TOKEN`),
    },
    {
      name: "GET /api/agent/:id/threads",
      permission: "agents.use",
      allowed: [200],
      run: call("GET", () => `/api/agent/${agentId}/threads`),
    },
    {
      name: "POST /api/agent/:id/threads",
      permission: "agents.use",
      allowed: [201],
      run: call("POST", () => `/api/agent/${agentId}/threads`),
    },
    {
      name: "GET /api/agent/:id/threads/:tid/messages",
      permission: "agents.use",
      allowed: [200],
      run: call("GET", () => `/api/agent/${agentId}/threads/${threadId}/messages`),
    },
    { name: "GET /api/agent/:id/memory", permission: "agents.use", allowed: [200], run: call("GET", () => `/api/agent/${agentId}/memory`) },
    {
      name: "GET /api/agent/:id/files",
      permission: "agents.use",
      allowed: [200],
      run: call("GET", () => `/api/agent/${agentId}/files?path=.`),
    },
    {
      name: "WebSocket /ws/agent/:id",
      permission: "agents.use",
      allowed: [101],
      run: (user) => socketStatus(user, `/ws/agent/${agentId}`),
    },
    {
      name: "WebSocket /ws/thread/:id-:tid",
      permission: "agents.use",
      allowed: [101],
      run: (user) => socketStatus(user, `/ws/thread/${agentId}-${threadId}`),
    },
    { name: "GET /api/credits", permission: "billing.view", allowed: [200], run: call("GET", () => "/api/credits") },
    {
      name: "GET /api/credits/transactions",
      permission: "billing.view",
      allowed: [200],
      run: call("GET", () => "/api/credits/transactions"),
    },
    { name: "GET /api/credits/purchases", permission: "billing.view", allowed: [200], run: call("GET", () => "/api/credits/purchases") },
    {
      name: "GET /api/usage",
      permission: "billing.view",
      allowed: [200],
      run: call("GET", () => `/api/usage?from=${today()}&to=${today()}`),
    },
    // Stripe is not configured in this Worker: an allowed caller reaches the purchase and gets 503.
    {
      name: "POST /api/credits/checkout",
      permission: "billing.purchase",
      allowed: [503],
      run: call(
        "POST",
        () => "/api/credits/checkout",
        () => ({ package: "starter" }),
      ),
    },
  ];

  it("covers every team route in the route table", async () => {
    const { API_ROUTES } = await import("../../src/lib/api/routes.ts");
    const teamRoutes = API_ROUTES.filter((r) => r.path.startsWith("/api/teams/:teamId")).map((r) => `${r.method} ${r.path}`);
    expect(teamRoutes.filter((r) => !operations.some((op) => op.name === r))).toEqual([]);
  });

  for (const role of roles) {
    it(`gives the ${role} exactly what its permissions allow and 403 for the rest`, async () => {
      const results: string[] = [];
      const expected: string[] = [];
      for (const op of operations) {
        const status = await op.run(users[role]);
        const allowed =
          op.permission === null || (op.permission === "owner" ? role === "owner" : permissionsOf(role).includes(op.permission));
        results.push(`${op.name} -> ${allowed && op.allowed.includes(status) ? "allowed" : status}`);
        expected.push(`${op.name} -> ${allowed ? "allowed" : 403}`);
      }
      expect(results).toEqual(expected);
    }, 240_000);
  }

  it("answers 404 to a non-member for every team route and team agent operation", async () => {
    const results: string[] = [];
    for (const op of operations) results.push(`${op.name} -> ${await op.run(users.stranger)}`);
    expect(results).toEqual(operations.map((op) => `${op.name} -> 404`));
  }, 240_000);

  it("follows a role change at once: a member made admin may invite, and made member again may not", async () => {
    const id = await userId(users.member);
    const invite = () =>
      api(users.member, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: `z-${randomUUID()}@example.com` } });
    expect((await invite()).status).toBe(403);
    await must(204, api(users.owner, `/api/teams/${teamId}/members/${id}`, { method: "PATCH", body: { role: "admin" } }));
    expect((await invite()).status).toBe(201);
    await must(204, api(users.owner, `/api/teams/${teamId}/members/${id}`, { method: "PATCH", body: { role: "member" } }));
    expect((await invite()).status).toBe(403);
  });

  it("changes a custom role's permissions for everyone who holds it", async () => {
    const agents = () => api(users.custom, "/api/agent", { account: teamId });
    expect((await agents()).status).toBe(403);
    await must(
      200,
      api(users.owner, `/api/teams/${teamId}/roles/${customRoleId}`, { method: "PATCH", body: { permissions: [...CUSTOM, "agents.use"] } }),
    );
    expect((await agents()).status).toBe(200);
    await must(200, api(users.owner, `/api/teams/${teamId}/roles/${customRoleId}`, { method: "PATCH", body: { permissions: CUSTOM } }));
    expect((await agents()).status).toBe(403);
  });

  it("lets only an owner grant or take away the owner role", async () => {
    const target = await freshMember();
    const adminTries = await api<{ error: { message: string } }>(users.admin, `/api/teams/${teamId}/members/${target}`, {
      method: "PATCH",
      body: { role: "owner" },
    });
    expect(adminTries.status).toBe(403);
    expect((await api(users.admin, `/api/teams/${teamId}/members/${await userId(users.owner)}`, { method: "DELETE" })).status).toBe(403);
    expect(
      (
        await api(users.admin, `/api/teams/${teamId}/invitations`, {
          method: "POST",
          body: { email: `o-${randomUUID()}@example.com`, role: "owner" },
        })
      ).status,
    ).toBe(403);
  });

  it("refuses to hand out or touch permissions the caller does not hold", async () => {
    const mighty = await must<{ id: string }>(
      201,
      api(users.owner, `/api/teams/${teamId}/roles`, { method: "POST", body: { name: "Mighty", permissions: ["team.delete"] } }),
    );
    expect(
      (await api(users.admin, `/api/teams/${teamId}/roles`, { method: "POST", body: { name: "Sneaky", permissions: ["team.delete"] } }))
        .status,
    ).toBe(403);
    expect(
      (await api(users.admin, `/api/teams/${teamId}/members/${await userId(users.admin)}`, { method: "PATCH", body: { role: mighty.id } }))
        .status,
    ).toBe(403);
    expect(
      (
        await api(users.admin, `/api/teams/${teamId}/invitations`, {
          method: "POST",
          body: { email: `m-${randomUUID()}@example.com`, role: mighty.id },
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await api(users.custom, `/api/teams/${teamId}/invitations`, {
          method: "POST",
          body: { email: `m-${randomUUID()}@example.com`, role: "member" },
        })
      ).status,
    ).toBe(403);
    const holder = await freshMember();
    await must(204, api(users.owner, `/api/teams/${teamId}/members/${holder}`, { method: "PATCH", body: { role: mighty.id } }));
    expect((await api(users.admin, `/api/teams/${teamId}/members/${holder}`, { method: "DELETE" })).status).toBe(403);
    expect((await api(users.admin, `/api/teams/${teamId}/roles/${mighty.id}`, { method: "PATCH", body: { permissions: [] } })).status).toBe(
      403,
    );
  });

  it("records invitations, removals, role changes and agent deletions in the audit log", async () => {
    const { events } = await must<{ events: { action: string; actor: { email: string } | null }[] }>(
      200,
      api(users.admin, `/api/teams/${teamId}/audit`),
    );
    const actions = new Set(events.map((e) => e.action));
    for (const action of [
      "team.created",
      "invitation.created",
      "invitation.accepted",
      "invitation.revoked",
      "member.removed",
      "member.role_changed",
      "role.created",
      "agent.deleted",
    ]) {
      expect(actions, action).toContain(action);
    }
    expect(events.find((e) => e.action === "team.created")?.actor?.email).toBe(users.owner.email);
  });
});

describe("team lifecycle", () => {
  it("refuses a taken slug and a slug that is not URL-safe", async () => {
    const owner = await signUpVerifiedUser(base());
    const slug = `dup-${randomUUID().slice(0, 8)}`;
    await must(201, api(owner, "/api/teams", { method: "POST", body: { name: "One", slug } }));
    expect((await api(owner, "/api/teams", { method: "POST", body: { name: "Two", slug } })).status).toBe(409);
    expect((await api(owner, "/api/teams", { method: "POST", body: { name: "Three", slug: "no spaces!" } })).status).toBe(400);
    const { teams } = await must<{ teams: { slug: string; role: string }[] }>(200, api(owner, "/api/teams"));
    expect(teams).toEqual([expect.objectContaining({ slug, role: "owner" })]);
  });

  it("keeps the last owner: they can neither leave, be removed nor be demoted; a member can leave", async () => {
    const [owner, member] = await Promise.all([signUpVerifiedUser(base()), signUpVerifiedUser(base())]);
    const teamId = await createTeam(owner);
    await join(owner, teamId, member, "admin");
    const ownerId = await userId(owner);
    expect((await api(owner, `/api/teams/${teamId}/members/${ownerId}`, { method: "DELETE" })).status).toBe(409);
    expect((await api(owner, `/api/teams/${teamId}/members/${ownerId}`, { method: "PATCH", body: { role: "admin" } })).status).toBe(409);
    expect((await api(member, `/api/teams/${teamId}/members/${ownerId}`, { method: "DELETE" })).status).toBe(403);
    await must(204, api(member, `/api/teams/${teamId}/members/${await userId(member)}`, { method: "DELETE" }));
    expect((await api(member, `/api/teams/${teamId}`)).status).toBe(404);
  });

  it("refuses control characters and text-direction overrides in team and role names", async () => {
    const owner = await signUpVerifiedUser(base());
    const teamId = await createTeam(owner);
    const roleId = (
      await must<{ id: string }>(
        201,
        api(owner, `/api/teams/${teamId}/roles`, { method: "POST", body: { name: "Clerk", permissions: [] } }),
      )
    ).id;
    const statuses: string[] = [];
    for (const name of ["nul\u0000byte", "evil\u202Etxt.exe", "new\nline", "pop\u2069x"]) {
      const attempts: [string, string, object][] = [
        ["POST", "/api/teams", { name, slug: `n-${randomUUID().slice(0, 8)}` }],
        ["PATCH", `/api/teams/${teamId}`, { name }],
        ["POST", `/api/teams/${teamId}/roles`, { name, permissions: [] }],
        ["PATCH", `/api/teams/${teamId}/roles/${roleId}`, { name }],
      ];
      for (const [method, path, body] of attempts) {
        const { status } = await api(owner, path, { method, body });
        statuses.push(`${method} ${path.replace(teamId, ":teamId").replace(roleId, ":roleId")} ${JSON.stringify(name)} -> ${status}`);
      }
    }
    expect(statuses.filter((s) => !s.endsWith("-> 400"))).toEqual([]);
    expect((await must<{ name: string }>(200, api(owner, `/api/teams/${teamId}`))).name).toBe("Acme");
  });

  it("transfers ownership: only an owner may, only to a member; the old owner becomes admin, and it is audited", async () => {
    const [owner, admin, stranger] = await Promise.all([
      signUpVerifiedUser(base()),
      signUpVerifiedUser(base()),
      signUpVerifiedUser(base()),
    ]);
    const teamId = await createTeam(owner);
    await join(owner, teamId, admin, "admin");
    const [ownerId, adminId, strangerId] = await Promise.all([userId(owner), userId(admin), userId(stranger)]);
    const transfer = (by: TestUser, to: string) => api(by, `/api/teams/${teamId}/transfer`, { method: "POST", body: { userId: to } });

    // An admin holds every permission but team.delete, and still may not take the team.
    expect((await transfer(admin, adminId)).status).toBe(403);
    expect((await transfer(stranger, strangerId)).status).toBe(404);
    expect((await transfer(owner, strangerId)).status).toBe(404);
    expect((await transfer(owner, ownerId)).status).toBe(409);
    expect((await api(owner, `/api/teams/${teamId}/transfer`, { method: "POST", body: {} })).status).toBe(400);

    await must(204, transfer(owner, adminId));
    const { members } = await must<{ members: { userId: string; role: string }[] }>(200, api(owner, `/api/teams/${teamId}/members`));
    expect(Object.fromEntries(members.map((m) => [m.userId, m.role]))).toEqual({ [ownerId]: "admin", [adminId]: "owner" });
    expect((await must<{ role: string; permissions: string[] }>(200, api(admin, `/api/teams/${teamId}`))).permissions).toContain(
      "team.delete",
    );
    // The old owner is an admin now: no more transfers from them, and the new owner cannot be demoted by them.
    expect((await transfer(owner, ownerId)).status).toBe(403);
    expect((await api(owner, `/api/teams/${teamId}/members/${adminId}`, { method: "PATCH", body: { role: "member" } })).status).toBe(403);
    const { events } = await must<{ events: { action: string; actor: { email: string }; detail: Record<string, unknown> }[] }>(
      200,
      api(admin, `/api/teams/${teamId}/audit`),
    );
    expect(events.find((e) => e.action === "team.ownership_transferred")).toMatchObject({
      actor: { email: owner.email },
      detail: { from: ownerId, to: adminId, previousRole: "admin" },
    });
  });

  it("refuses to delete the account of a team's last owner, naming the team, until ownership is transferred", async () => {
    const [owner, admin] = await Promise.all([signUpVerifiedUser(base()), signUpVerifiedUser(base())]);
    const teamId = await createTeam(owner, "Orphan Risk");
    await join(owner, teamId, admin, "admin");
    const deleteAccount = (user: TestUser) =>
      api<{ code: string; message: string; teams: { id: string; name: string }[] }>(user, "/api/auth/delete-user", {
        method: "POST",
        body: { password: user.password },
      });

    const refused = await deleteAccount(owner);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/last owner of the team Orphan Risk/);
    expect(refused.body.message).toMatch(/transfer ownership or delete it/);
    expect(refused.body.teams).toEqual([expect.objectContaining({ id: teamId, name: "Orphan Risk" })]);
    // Nothing was deleted: the owner still signs in with the same session and still has their agents.
    expect((await must<{ agents: unknown[] }>(200, api(owner, "/api/agent"))).agents.length).toBeGreaterThan(0);
    expect((await must<{ role: string }>(200, api(owner, `/api/teams/${teamId}`))).role).toBe("owner");

    await must(204, api(owner, `/api/teams/${teamId}/transfer`, { method: "POST", body: { userId: await userId(admin) } }));
    await must(200, deleteAccount(owner));
    expect((await api(owner, "/api/me")).status).toBe(401);
    // The team lives on with an owner who can run it and delete it.
    const { members } = await must<{ members: { email: string; role: string }[] }>(200, api(admin, `/api/teams/${teamId}/members`));
    expect(members.map((m) => `${m.email} ${m.role}`)).toEqual([`${admin.email} owner`]);
    const { slug } = await must<{ slug: string }>(200, api(admin, `/api/teams/${teamId}`));
    await must(204, api(admin, `/api/teams/${teamId}`, { method: "DELETE", body: { confirm: slug } }));
  });

  it("lets a co-owner and a plain member delete their accounts; a team's only member deletes the team first", async () => {
    const [owner, coOwner, member, solo] = await Promise.all([0, 1, 2, 3].map(() => signUpVerifiedUser(base())));
    const teamId = await createTeam(owner!);
    await join(owner!, teamId, coOwner!, "owner");
    await join(owner!, teamId, member!, "member");
    const deleteAccount = (user: TestUser) => api(user, "/api/auth/delete-user", { method: "POST", body: { password: user.password } });
    await must(200, deleteAccount(member!));
    await must(200, deleteAccount(coOwner!));
    expect((await deleteAccount(owner!)).status).toBe(409);

    const soloTeam = await must<{ id: string; slug: string }>(
      201,
      api(solo!, "/api/teams", { method: "POST", body: { name: "Just Me", slug: `solo-${randomUUID().slice(0, 8)}` } }),
    );
    expect((await deleteAccount(solo!)).status).toBe(409);
    await must(204, api(solo!, `/api/teams/${soloTeam.id}`, { method: "DELETE", body: { confirm: soloTeam.slug } }));
    await must(200, deleteAccount(solo!));
  });

  it.each(SIMULATED_TODAYS)(
    "uses an invitation once, only as the invited address, not after revocation or 7 days (on %s)",
    async (today) => {
      const [owner, invited, other] = await Promise.all([
        signUpVerifiedUser(base()),
        signUpVerifiedUser(base()),
        signUpVerifiedUser(base()),
      ]);
      const at = (now: string) => ({ "x-test-now": now });
      const teamId = await createTeam(owner);
      const invitation = await must<{ id: string; state: string }>(
        201,
        api(owner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: invited.email }, headers: at(today) }),
      );
      expect(invitation.state).toBe("pending");
      const token = tokenOf(await invitationLink(invited.email));
      const preview = await must<{ teamName: string; email: string; state: string }>(
        200,
        api(invited, `/api/teams/invitations/${token}`, { headers: at(today) }),
      );
      expect(preview).toMatchObject({ teamName: "Acme", email: invited.email, state: "pending" });
      const expired = shifted(today, SEVEN_DAYS_MS + 60_000);
      expect((await must<{ state: string }>(200, api(invited, `/api/teams/invitations/${token}`, { headers: at(expired) }))).state).toBe(
        "expired",
      );
      expect((await api(invited, `/api/teams/invitations/${token}/accept`, { method: "POST", headers: at(expired) })).status).toBe(409);
      expect((await api(other, `/api/teams/invitations/${token}/accept`, { method: "POST", headers: at(today) })).status).toBe(403);
      // A minute before the seven days are over it is still good.
      await must(
        200,
        api(invited, `/api/teams/invitations/${token}/accept`, { method: "POST", headers: at(shifted(today, SEVEN_DAYS_MS - 60_000)) }),
      );
      expect((await api(invited, `/api/teams/invitations/${token}/accept`, { method: "POST", headers: at(today) })).status).toBe(409);
      const { members } = await must<{ members: { email: string; role: string }[] }>(
        200,
        api(owner, `/api/teams/${teamId}/members`, { headers: at(today) }),
      );
      expect(members.map((m) => `${m.email} ${m.role}`).sort()).toEqual([`${owner.email} owner`, `${invited.email} member`].sort());

      await must(201, api(owner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: other.email }, headers: at(today) }));
      const revokedToken = tokenOf(await invitationLink(other.email));
      const { invitations } = await must<{ invitations: { id: string; email: string; state: string }[] }>(
        200,
        api(owner, `/api/teams/${teamId}/invitations`, { headers: at(today) }),
      );
      const pending = invitations.find((i) => i.email === other.email && i.state === "pending")!;
      await must(204, api(owner, `/api/teams/${teamId}/invitations/${pending.id}`, { method: "DELETE", headers: at(today) }));
      expect((await api(other, `/api/teams/invitations/${revokedToken}/accept`, { method: "POST", headers: at(today) })).status).toBe(409);
      expect((await api(other, `/api/teams/${teamId}`)).status).toBe(404);
    },
  );

  it("deletes a team with its agents only when the owner confirms the slug", async () => {
    const owner = await signUpVerifiedUser(base());
    const created = await must<{ id: string; slug: string }>(
      201,
      api(owner, "/api/teams", { method: "POST", body: { name: "Gone", slug: `gone-${randomUUID().slice(0, 8)}` } }),
    );
    const agent = await must<{ id: string }>(
      201,
      api(owner, "/api/agent", { method: "POST", account: created.id, body: { name: "Team agent" } }),
    );
    await must(200, api(owner, `/api/agent/${agent.id}/files?path=.`, { account: created.id }));
    expect((await api(owner, `/api/teams/${created.id}`, { method: "DELETE", body: { confirm: "wrong" } })).status).toBe(400);
    await must(204, api(owner, `/api/teams/${created.id}`, { method: "DELETE", body: { confirm: created.slug } }));
    expect((await api(owner, `/api/teams/${created.id}`)).status).toBe(404);
    expect((await api(owner, `/api/agent/${agent.id}`, { account: created.id })).status).toBe(404);
    expect((await fetch(`${base()}/ws/agent/${agent.id}`, { headers: owner.headers() })).status).toBe(404);
    // The slug is free again.
    await must(201, api(owner, "/api/teams", { method: "POST", body: { name: "Again", slug: created.slug } }));
  });
});

describe("pending invitations listed for the invited address", () => {
  it("shows them only to that address once it is verified, accepts them by id once, and hides others' ids", async () => {
    const [owner, stranger] = await Promise.all([signUpVerifiedUser(base()), signUpVerifiedUser(base())]);
    const teamId = await createTeam(owner, "Listed");
    const invitee = await signUpUser(base());
    const invitation = await must<{ id: string }>(
      201,
      api(owner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: invitee.email.toUpperCase(), role: "member" } }),
    );
    const accept = (user: TestUser) => api(user, `/api/me/invitations/${invitation.id}/accept`, { method: "POST" });

    // Unverified, anyone could have signed up with that address: nothing is listed and nothing can be accepted.
    expect(await must(200, api(invitee, "/api/me/invitations"))).toEqual({ invitations: [] });
    expect((await accept(invitee)).status).toBe(403);
    // Another address never sees it, and its id answers as if it did not exist.
    expect(await must(200, api(stranger, "/api/me/invitations"))).toEqual({ invitations: [] });
    expect((await accept(stranger)).status).toBe(404);

    const verified = await signUpVerifiedUser(base());
    const second = await must<{ id: string }>(
      201,
      api(owner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: verified.email, role: "member" } }),
    );
    const listed = await must<{ invitations: { id: string; teamId: string; teamName: string; role: string }[] }>(
      200,
      api(verified, "/api/me/invitations"),
    );
    expect(listed.invitations).toEqual([expect.objectContaining({ id: second.id, teamId, teamName: "Listed", role: "member" })]);
    expect(await must(200, api(verified, `/api/me/invitations/${second.id}/accept`, { method: "POST" }))).toEqual({ teamId });
    expect((await api(verified, `/api/me/invitations/${second.id}/accept`, { method: "POST" })).status).toBe(409);
    expect(await must(200, api(verified, "/api/me/invitations"))).toEqual({ invitations: [] });
    const members = await must<{ members: { email: string; role: string }[] }>(200, api(owner, `/api/teams/${teamId}/members`));
    expect(members.members.find((m) => m.email === verified.email)?.role).toBe("member");
  });
});

describe("a shared team agent", () => {
  it("lets a member chat with the team agent, shares the history with the owner and charges the team", async () => {
    const [owner, member] = await Promise.all([signUpVerifiedUser(base()), signUpVerifiedUser(base())]);
    const teamId = await createTeam(owner);
    await join(owner, teamId, member, "member");
    await must(200, api(owner, "/api/test/ledger", { method: "POST", body: { action: "grant", accountId: teamId, amount: 100_000 } }));
    const agent = await must<{ id: string }>(201, api(owner, "/api/agent", { method: "POST", account: teamId, body: { name: "Shared" } }));
    const thread = await must<{ id: string }>(201, api(member, `/api/agent/${agent.id}/threads`, { method: "POST", account: teamId }));
    const memberPersonal = await must<{ balance: number }>(200, api(member, "/api/credits"));

    stack.model.enqueue({ text: "Hello, team." });
    const socket = await ChatSocket.open(`${base()}/ws/thread/${agent.id}-${thread.id}`, member.headers());
    const { error } = await socket.response(socket.sendMessage("Hi from the member"));
    socket.close();
    expect(error).toBeUndefined();

    const history = await must<{ messages: { role: string }[] }>(
      200,
      api(owner, `/api/agent/${agent.id}/threads/${thread.id}/messages`, { account: teamId }),
    );
    expect(history.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    const usage = await must<{ transactions: { amount: number; agentId?: string }[] }>(
      200,
      api(owner, "/api/credits/transactions?kind=usage", { account: teamId }),
    );
    expect(usage.transactions.length).toBeGreaterThan(0);
    expect(usage.transactions.every((t) => t.amount < 0)).toBe(true);
    expect((await must<{ balance: number }>(200, api(member, "/api/credits"))).balance).toBe(memberPersonal.balance);
  });
});
