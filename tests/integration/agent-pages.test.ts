import { beforeAll, describe, expect, inject, it } from "vitest";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

const base = () => inject("workerUrl");
let owner: TestUser;
let agentId: string;

async function threadIds(user: TestUser): Promise<string[]> {
  const response = await fetch(`${base()}/api/agent/${agentId}/threads`, { headers: user.headers() });
  return ((await response.json()) as { threads: { id: string }[] }).threads.map((t) => t.id);
}

beforeAll(async () => {
  owner = await signUpVerifiedUser(base());
  const response = await fetch(`${base()}/api/agent`, { headers: owner.headers() });
  agentId = ((await response.json()) as { agents: { id: string }[] }).agents[0]!.id;
}, 60_000);

describe("/agents/:id opens a chat from the server", () => {
  it("redirects to a new first thread, then always to the newest thread", async () => {
    const first = await fetch(`${base()}/agents/${agentId}`, { headers: owner.headers(), redirect: "manual" });
    expect(first.status).toBe(307);
    const [created] = await threadIds(owner);
    expect(created).toBeDefined();
    expect(new URL(first.headers.get("location")!, base()).pathname).toBe(`/agents/${agentId}/threads/${created}`);

    const newer = await fetch(`${base()}/api/agent/${agentId}/threads`, { method: "POST", headers: owner.headers() });
    const newerId = ((await newer.json()) as { id: string }).id;
    const again = await fetch(`${base()}/agents/${agentId}`, { headers: owner.headers(), redirect: "manual" });
    expect(new URL(again.headers.get("location")!, base()).pathname).toBe(`/agents/${agentId}/threads/${newerId}`);
    expect(await threadIds(owner)).toHaveLength(2);
  });

  it("does not redirect another user, and creates nothing in the owner's agent", async () => {
    const stranger = await signUpVerifiedUser(base());
    const before = await threadIds(owner);
    const response = await fetch(`${base()}/agents/${agentId}`, { headers: stranger.headers(), redirect: "manual" });
    expect(response.status).toBe(200);
    expect(response.headers.get("location")).toBeNull();
    expect(await response.text()).not.toContain(`/agents/${agentId}/threads/`);
    expect(await threadIds(owner)).toEqual(before);
  });
});
