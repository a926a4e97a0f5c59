import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { type ApiInit, apiRequest, rawRequest } from "../support/http.ts";
import { waitFor } from "../support/sandboxd.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";

/*
 * Sandbox integrity (issue 20): a ban stops the banned user's sandboxes at once, and every account has caps on its
 * agents and on its live workspaces that admins can raise. Real Worker, real sandboxd (bubblewrap), real previews.
 */

const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;
let stack: AgentStack;
let admin: TestUser;

function api<T = Record<string, unknown>>(user: TestUser, path: string, init: ApiInit = {}) {
  return apiRequest<T>(stack.worker.url, user, path, init);
}

const userId = async (user: TestUser) => (await api<{ user: { id: string } }>(user, "/api/me")).body.user.id;
const firstAgent = async (user: TestUser, account?: string) =>
  (await api<{ agents: { id: string }[] }>(user, "/api/agent", { account })).body.agents[0]!.id;

/** sandboxd's own view of a workspace's processes, asked directly (not through the Worker, which now refuses them). */
async function sandboxdProcesses(workspaceId: string): Promise<{ id: string; status: string; reason: string | null }[]> {
  const response = await fetch(`${stack.sandboxd.url}/v1/workspaces/${workspaceId}/processes`, {
    headers: { authorization: `Bearer ${stack.sandboxd.secret}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { processes: { id: string; status: string; reason: string | null }[] }).processes;
}

/** A Python web server in the background, exposed as a preview that serves it; the preview's host. */
async function servePreview(user: TestUser, agentId: string, port: number, text: string): Promise<{ host: string; pid: string }> {
  const started = await api<{ id: string }>(user, `/api/agent/${agentId}/processes`, {
    method: "POST",
    body: {
      command: `mkdir -p site-${port} && echo ${text} > site-${port}/index.html && exec python3 -m http.server ${port} --bind 127.0.0.1 -d site-${port}`,
    },
  });
  expect(started.status, started.text).toBe(201);
  const exposed = await api<{ url: string }>(user, `/api/agent/${agentId}/ports`, { method: "POST", body: { port } });
  expect(exposed.status, exposed.text).toBe(201);
  const host = new URL(exposed.body.url).host;
  const page = await waitFor(async () => {
    const answer = await rawRequest(`${stack.worker.url}/`, { headers: { host } });
    return answer.status === 200 ? answer : null;
  }, 20_000);
  expect(page.body).toContain(text);
  return { host, pid: started.body.id };
}

beforeAll(async () => {
  stack = await startAgentStack({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } });
  admin = await signUpUser(stack.worker.url, { email: ADMIN_EMAIL, name: "Ada Admin" });
}, 180_000);
afterAll(() => stack?.dispose());

describe("a ban", () => {
  it("has stopped the user's background processes and closed their previews, in their own and their sole-owned team's agents, when it answers", async () => {
    const user = await signUpVerifiedUser(stack.worker.url, { name: "Soon Banned" });
    const id = await userId(user);
    const own = await firstAgent(user);
    const team = await api<{ id: string }>(user, "/api/teams", {
      method: "POST",
      body: { name: "Their team", slug: `theirs-${randomUUID().slice(0, 8)}` },
    });
    expect(team.status, team.text).toBe(201);
    // Teams get no free credits, and a background process holds credits ahead when it starts.
    const granted = await fetch(`${stack.worker.url}/api/test/ledger`, {
      method: "POST",
      body: JSON.stringify({ action: "grant", accountId: team.body.id, amount: 5000 }),
    });
    expect(granted.status).toBe(200);
    const teamAgent = await api<{ id: string }>(user, "/api/agent", {
      method: "POST",
      account: team.body.id,
      body: { name: "Team agent" },
    });
    expect(teamAgent.status, teamAgent.text).toBe(201);
    const bystander = await signUpVerifiedUser(stack.worker.url, { name: "Bystander" });
    const theirs = await firstAgent(bystander);

    const previews = [
      { agent: own, ...(await servePreview(user, own, 8000, "own-site")) },
      { agent: teamAgent.body.id, ...(await servePreview(user, teamAgent.body.id, 8001, "team-site")) },
    ];
    const untouched = await servePreview(bystander, theirs, 8002, "bystander-site");

    const ban = await api<{ banned: boolean; processesStopped: number; previewsClosed: number }>(admin, `/api/admin/users/${id}/ban`, {
      method: "POST",
      body: { reason: "Abuse" },
    });
    expect(ban.status, ban.text).toBe(200);
    expect(ban.body).toMatchObject({ banned: true, processesStopped: 2, previewsClosed: 2 });

    for (const preview of previews) {
      const processes = await sandboxdProcesses(preview.agent);
      expect(processes.find((p) => p.id === preview.pid)).toMatchObject({ status: "exited", reason: "stopped" });
      const page = await rawRequest(`${stack.worker.url}/`, { headers: { host: preview.host } });
      expect(page.status).toBe(404);
      expect(page.body).not.toContain("site");
    }
    // Another user's preview and process are none of the ban's business.
    expect((await sandboxdProcesses(theirs)).find((p) => p.id === untouched.pid)?.status).toBe("running");
    const still = await rawRequest(`${stack.worker.url}/`, { headers: { host: untouched.host } });
    expect(still.status).toBe(200);
    expect(still.body).toContain("bystander-site");
  });
});

describe("the agent cap of an account", () => {
  it("refuses the agent past the default 20 with 409 agent_limit_reached naming the limit, until an admin raises it", async () => {
    const user = await signUpVerifiedUser(stack.worker.url, { name: "Many Agents" });
    const id = await userId(user);
    await firstAgent(user);
    for (let n = 2; n <= 20; n++) {
      const created = await api(user, "/api/agent", { method: "POST", body: { name: `Agent ${n}` } });
      expect(created.status, created.text).toBe(201);
    }
    const refused = await api<{ error: { code: string; message: string; limit: number } }>(user, "/api/agent", {
      method: "POST",
      body: { name: "One too many" },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: "agent_limit_reached", limit: 20 });
    expect(refused.body.error.message).toMatch(/limit of 20 agents.*ask an admin to raise/);
    expect((await api<{ agents: unknown[] }>(user, "/api/agent")).body.agents).toHaveLength(20);

    // Only admins set limits, and only sensible ones.
    expect((await api(user, `/api/admin/users/${id}/limits`, { method: "PUT", body: { maxAgents: 100 } })).status).toBe(404);
    for (const body of [{ maxAgents: 0 }, { maxAgents: 2.5 }, { maxAgents: "30" }, { maxAgents: 1_000_000 }, { other: 1 }]) {
      expect((await api(admin, `/api/admin/users/${id}/limits`, { method: "PUT", body })).status, JSON.stringify(body)).toBe(400);
    }
    const raised = await api<{ limits: unknown }>(admin, `/api/admin/users/${id}/limits`, { method: "PUT", body: { maxAgents: 21 } });
    expect(raised.status, raised.text).toBe(200);
    expect(raised.body.limits).toEqual({ maxAgents: 21, maxLiveWorkspaces: 5, custom: { maxAgents: 21, maxLiveWorkspaces: null } });
    expect((await api(user, "/api/agent", { method: "POST", body: { name: "Agent 21" } })).status).toBe(201);
    const again = await api<{ error: { code: string; message: string } }>(user, "/api/agent", { method: "POST", body: { name: "22" } });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toContain("limit of 21 agents");

    const audit = await api<{ entries: { action: string; detail: unknown }[] }>(admin, `/api/admin/audit?targetId=${id}`);
    expect(audit.body.entries).toContainEqual(
      expect.objectContaining({
        action: "user.limits",
        detail: expect.objectContaining({ to: { maxAgents: 21, maxLiveWorkspaces: null } }),
      }),
    );
    const page = await api<string>(admin, `/admin/users/${id}`, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(page.text).toContain('data-testid="user-limits"');
    expect(page.text).toContain("Now 21 agents and 5 live workspaces at once");
  });
});

describe("the live workspace cap of an account", () => {
  it("stops the least recently used idle workspace for room, refuses with 409 naming the limit when all are busy, and an admin can raise it", async () => {
    const user = await signUpVerifiedUser(stack.worker.url, { name: "Many Workspaces" });
    const id = await userId(user);
    const agents = [await firstAgent(user)];
    for (let n = 2; n <= 7; n++)
      agents.push((await api<{ id: string }>(user, "/api/agent", { method: "POST", body: { name: `W${n}` } })).body.id);
    const live = async (agentId: string) => {
      const response = await fetch(`${stack.sandboxd.url}/v1/workspaces/${agentId}`, {
        headers: { authorization: `Bearer ${stack.sandboxd.secret}` },
      });
      return ((await response.json()) as { live: boolean }).live;
    };
    const pids: string[] = [];
    for (const agentId of agents.slice(0, 5)) {
      const started = await api<{ id: string }>(user, `/api/agent/${agentId}/processes`, {
        method: "POST",
        body: { command: "exec sleep 600" },
      });
      expect(started.status, started.text).toBe(201);
      pids.push(started.body.id);
    }

    const refused = await api<{ error: { code: string; message: string } }>(user, `/api/agent/${agents[5]}/exec`, {
      method: "POST",
      body: { command: "echo hi" },
    });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.body.error.code).toBe("live_workspace_limit_reached");
    expect(refused.body.error.message).toMatch(/5 workspaces of this account are live.*limit is 5.*raise/);

    const raised = await api(admin, `/api/admin/users/${id}/limits`, { method: "PUT", body: { maxLiveWorkspaces: 6 } });
    expect(raised.status, raised.text).toBe(200);
    const sixth = await api<{ stdout: string }>(user, `/api/agent/${agents[5]}/exec`, {
      method: "POST",
      body: { command: "echo six > six.txt; cat six.txt" },
    });
    expect(sixth.status, sixth.text).toBe(200);
    expect(sixth.body.stdout).toBe("six\n");

    // The first agent's process stops (which uses it, after the sixth's exec): the sixth is now the least recently
    // used idle workspace, and the seventh takes its place.
    expect((await api(user, `/api/agent/${agents[0]}/processes/${pids[0]}`, { method: "DELETE" })).status).toBe(200);
    const seventh = await api<{ stdout: string }>(user, `/api/agent/${agents[6]}/exec`, {
      method: "POST",
      body: { command: "echo seven" },
    });
    expect(seventh.status, seventh.text).toBe(200);
    expect(await live(agents[5]!)).toBe(false);
    expect(await live(agents[0]!)).toBe(true);
    expect(await live(agents[6]!)).toBe(true);
    // A stopped workspace starts again on its next use, files kept (and makes room the same way).
    const back = await api<{ stdout: string }>(user, `/api/agent/${agents[5]}/exec`, { method: "POST", body: { command: "cat six.txt" } });
    expect(back.body.stdout).toBe("six\n");
    for (const [i, pid] of pids.entries()) await api(user, `/api/agent/${agents[i]}/processes/${pid}`, { method: "DELETE" });
  });
});
