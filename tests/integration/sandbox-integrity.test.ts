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
