import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeMcpServer, startMcpServer } from "../../fakes/mcp-server.ts";
import { type AgentApi, agentApi } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { queryLocalD1 } from "../support/auth-db.ts";
import { apiRequest } from "../support/http.ts";
import { createTeam, joinTeam } from "../support/teams.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

// MCP connectors (src/lib/mcp, src/agent/mcp-tools.ts): MCP servers added to an agent, reached in each turn with the
// credential of the user whose message started it, their tools named <connector>__<tool> under the approval policy.

interface Connector {
  id: string;
  name: string;
  status: string;
}
interface ToolCall {
  name: string;
  state: string;
  output?: { text?: string };
  error?: string;
}
interface Turn {
  text: string;
  error?: string;
  toolCalls: ToolCall[];
  pendingApprovals?: { toolCallId: string; tool: string }[];
}

/** Timeout for each MCP step in these tests' Worker, so a hanging server is seen quickly. */
const MCP_TIMEOUT_MS = 3_000;

let stack: AgentStack;
let mcp: FakeMcpServer;
let alice: TestUser;
let personal: AgentApi;

const as = <T>(user: TestUser, path: string, init: Parameters<typeof apiRequest>[3] = {}) =>
  apiRequest<T>(stack.worker.url, user, path, init);

async function addConnector(user: TestUser, agentId: string, body: Record<string, unknown>) {
  return as<{ connector: Connector }>(user, `/api/agent/${agentId}/connectors`, { method: "POST", body });
}

async function connectors(user: TestUser, agentId: string): Promise<Connector[]> {
  return (await as<{ connectors: Connector[] }>(user, `/api/agent/${agentId}/connectors`)).body.connectors;
}

async function turn(user: TestUser, agentId: string, text: string): Promise<Turn> {
  const thread = await as<{ id: string }>(user, `/api/agent/${agentId}/threads`, { method: "POST" });
  expect(thread.status).toBe(201);
  const answer = await as<Turn>(user, `/api/agent/${agentId}/threads/${thread.body.id}/messages`, {
    method: "POST",
    headers: { accept: "application/json" },
    body: { text },
  });
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

const callTool = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, arguments: args }] });
const offered = (index: number) =>
  (stack.model.requests[index]?.body?.tools ?? []).map((t) => (t as { function: { name: string } }).function.name);
const systemPrompt = (index: number) => {
  const first = stack.model.requests[index]?.body?.messages[0];
  return first?.role === "system" ? String(first.content) : "";
};

beforeAll(async () => {
  [stack, mcp] = await Promise.all([
    startAgentStack({ vars: { MCP_TIMEOUT_MS: String(MCP_TIMEOUT_MS) } }),
    startMcpServer({ auth: "bearer", tokens: { "token-alice-1234": "alice", "token-bob-5678": "bob" } }),
  ]);
  alice = await signUpVerifiedUser(stack.worker.url, { name: "Alice" });
  personal = await agentApi(stack.worker.url, alice);
}, 180_000);
afterAll(async () => {
  await stack?.dispose();
  await mcp?.close();
});

describe("MCP connectors", () => {
  it("adds a connector with a header token: the model's fake__echo call runs on the server and its result is in the thread", async () => {
    const added = await addConnector(alice, personal.agentId, { name: "fake", url: mcp.mcpUrl, auth: "header", token: "token-alice-1234" });
    expect(added.status, added.text).toBe(201);
    expect(added.body.connector).toMatchObject({ name: "fake", status: "connected" });
    expect(added.text).not.toContain("token-alice-1234");

    const listed = await as(alice, `/api/agent/${personal.agentId}/connectors`);
    expect(listed.text).not.toContain("token-alice-1234");
    const tools = await as<{ tools: { name: string }[] }>(
      alice,
      `/api/agent/${personal.agentId}/connectors/${added.body.connector.id}/tools`,
    );
    expect(tools.body.tools.map((t) => t.name)).toEqual(expect.arrayContaining(["fake__echo", "fake__add"]));

    // Sealed at rest: the row holds no form of the token.
    const [row] = queryLocalD1<{ credential_sealed: string }>(
      stack.worker.persistTo,
      `SELECT credential_sealed FROM mcp_connection WHERE connector_id = '${added.body.connector.id}'`,
    );
    expect(row?.credential_sealed).toBeTruthy();
    expect(row!.credential_sealed).not.toContain("token-alice");
    expect(Buffer.from(row!.credential_sealed, "base64").toString("latin1")).not.toContain("token-alice");

    stack.model.reset();
    stack.model.enqueue(callTool("fake__echo", { text: "hello from the model" }));
    const answer = await turn(alice, personal.agentId, "echo something");
    expect(offered(0)).toEqual(expect.arrayContaining(["fake__echo", "fake__add", "exec"]));
    expect(answer.toolCalls).toEqual([expect.objectContaining({ name: "fake__echo", state: "output-available" })]);
    expect(answer.toolCalls[0]!.output?.text).toBe("echo: hello from the model (for alice)");
    expect(answer.text).toContain("echo: hello from the model (for alice)");
    expect(mcp.calls.at(-1)).toEqual({ tool: "echo", user: "alice" });

    const refused = await addConnector(alice, personal.agentId, { name: "fake", url: mcp.mcpUrl, auth: "none" });
    expect(refused.status).toBe(409);
    const bad = await addConnector(alice, personal.agentId, { name: "Bad Name", url: "ftp://x", auth: "header" });
    expect(bad.status).toBe(400);
  }, 90_000);

  it("a failing tool, a server that does not answer and a server that is down each give a clear error, and the turn finishes", async () => {
    stack.model.reset();
    stack.model.enqueue(callTool("fake__fail", {}));
    const failed = await turn(alice, personal.agentId, "fail please");
    expect(failed.toolCalls[0]).toMatchObject({ name: "fake__fail", state: "output-error" });
    expect(failed.toolCalls[0]!.error).toContain("Connector fake: tool fail reported an error: the fake tool failed on purpose");
    expect(failed.text).toContain("Tool result:");

    stack.model.reset();
    stack.model.enqueue(callTool("fake__slow", {}));
    const started = performance.now();
    const slow = await turn(alice, personal.agentId, "wait forever");
    expect(slow.toolCalls[0]).toMatchObject({ name: "fake__slow", state: "output-error" });
    expect(slow.toolCalls[0]!.error).toContain(`Connector fake: tool slow did not answer within ${MCP_TIMEOUT_MS / 1000} s`);
    expect(slow.text).toContain("Tool result:");
    expect(performance.now() - started).toBeLessThan(30_000);

    mcp.down = true;
    try {
      stack.model.reset();
      stack.model.enqueue(callTool("fake__echo", { text: "anyone?" }));
      const down = await turn(alice, personal.agentId, "echo while down");
      expect(offered(0)).not.toContain("fake__echo");
      expect(systemPrompt(0)).toMatch(
        /Connector "fake" \(tools fake__\*\) is unavailable in this turn: Connector fake could not be reached/,
      );
      expect(down.toolCalls[0]).toMatchObject({ name: "fake__echo", state: "output-error" });
      expect(down.text).toContain("Tool result:");
    } finally {
      mcp.down = false;
    }

    mcp.hang = true;
    try {
      stack.model.reset();
      stack.model.enqueue({ text: "Nothing to call." });
      const hanging = await turn(alice, personal.agentId, "hello while the server hangs");
      expect(systemPrompt(0)).toContain(`did not answer within ${MCP_TIMEOUT_MS / 1000} s`);
      expect(hanging.text).toBe("Nothing to call.");
    } finally {
      mcp.hang = false;
    }
  }, 120_000);

  it("applies the approval policy: Ask waits for a person and runs once approved, Block hides the tool", async () => {
    const policy = await as(alice, `/api/agent/${personal.agentId}`, {
      method: "PATCH",
      body: { toolPolicy: { fake__echo: "ask", fake__add: "block" } },
    });
    expect(policy.status, policy.text).toBe(200);
    expect(
      (await as(alice, `/api/agent/${personal.agentId}`, { method: "PATCH", body: { toolPolicy: { "no such": "ask" } } })).status,
    ).toBe(400);

    stack.model.reset();
    stack.model.enqueue(callTool("fake__echo", { text: "approved text" }));
    const callsBefore = mcp.calls.length;
    const thread = (await as<{ id: string }>(alice, `/api/agent/${personal.agentId}/threads`, { method: "POST" })).body.id;
    const waiting = await as<Turn>(alice, `/api/agent/${personal.agentId}/threads/${thread}/messages`, {
      method: "POST",
      headers: { accept: "application/json" },
      body: { text: "echo after approval" },
    });
    expect(offered(0)).toContain("fake__echo");
    expect(offered(0)).not.toContain("fake__add");
    expect(waiting.body.pendingApprovals).toEqual([expect.objectContaining({ tool: "fake__echo" })]);
    expect(mcp.calls.length).toBe(callsBefore);

    const decided = await as<{ toolCalls: ToolCall[] }>(alice, `/api/agent/${personal.agentId}/threads/${thread}/approvals`, {
      method: "POST",
      body: { toolCallId: waiting.body.pendingApprovals![0]!.toolCallId, approved: true },
    });
    expect(decided.status, decided.text).toBe(200);
    expect(decided.body.toolCalls.find((c) => c.name === "fake__echo")).toMatchObject({ state: "output-available" });
    expect(mcp.calls.slice(callsBefore)).toEqual([{ tool: "echo", user: "alice" }]);
    await as(alice, `/api/agent/${personal.agentId}`, {
      method: "PATCH",
      body: { toolPolicy: { fake__echo: "allow", fake__add: "allow" } },
    });
  }, 90_000);

  it("connects each user through the server's OAuth (dynamic registration, PKCE), and a sign-in cannot be finished by someone else", async () => {
    const oauth = await startMcpServer({ auth: "oauth", autoApprove: true, oauthUser: "signed-in" });
    try {
      const added = await addConnector(alice, personal.agentId, { name: "signin", url: oauth.mcpUrl, auth: "oauth" });
      expect(added.status, added.text).toBe(201);
      expect(added.body.connector.status).toBe("connect_to_use");
      const id = added.body.connector.id;
      const start = async () => {
        const started = await as<{ authorizationUrl: string }>(alice, `/api/agent/${personal.agentId}/connectors/${id}/oauth`, {
          method: "POST",
        });
        expect(started.status, started.text).toBe(200);
        const authorize = new URL(started.body.authorizationUrl);
        expect(authorize.origin).toBe(oauth.url);
        expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
        const approved = await fetch(authorize, { redirect: "manual" });
        return new URL(approved.headers.get("location")!);
      };

      // Someone else's browser cannot finish Alice's sign-in.
      const stolen = await start();
      const mallory = await signUpVerifiedUser(stack.worker.url, { name: "Mallory" });
      const refused = await as(mallory, `${stolen.pathname}${stolen.search}`, { redirect: "manual" });
      expect(refused.status).toBe(303);
      expect(decodeURIComponent(refused.headers.get("location") ?? "")).toContain(
        "connector_error=This sign-in has expired or was already used",
      );

      const callback = await start();
      expect(callback.pathname).toBe("/api/mcp/oauth/callback");
      const finished = await as(alice, `${callback.pathname}${callback.search}`, { redirect: "manual" });
      expect(finished.status).toBe(303);
      expect(finished.headers.get("location")).toBe(`${stack.worker.url}/agents/${personal.agentId}?connector=signin&connected=1`);
      // Used once only.
      const again = await as(alice, `${callback.pathname}${callback.search}`, { redirect: "manual" });
      expect(again.headers.get("location")).toContain("connector_error=");

      expect((await connectors(alice, personal.agentId)).find((c) => c.name === "signin")?.status).toBe("connected");
      const [sealed] = queryLocalD1<{ credential_sealed: string }>(
        stack.worker.persistTo,
        `SELECT credential_sealed FROM mcp_connection WHERE connector_id = '${id}'`,
      );
      for (const token of oauth.issuedTokens()) expect(sealed!.credential_sealed).not.toContain(token);

      stack.model.reset();
      stack.model.enqueue(callTool("signin__add", { a: 2, b: 40 }));
      const answer = await turn(alice, personal.agentId, "add with the signed-in server");
      expect(answer.toolCalls[0]).toMatchObject({ name: "signin__add", state: "output-available", output: { text: "42" } });
      expect(oauth.calls).toEqual([{ tool: "add", user: "signed-in" }]);
      expect((await as(alice, `/api/agent/${personal.agentId}/connectors/${id}`, { method: "DELETE" })).status).toBe(204);
    } finally {
      await oauth.close();
    }
  }, 90_000);

  describe("in a team", () => {
    let owner: TestUser;
    let member: TestUser;
    let teamId: string;
    let agentId: string;
    let connectorId: string;

    beforeAll(async () => {
      owner = await signUpVerifiedUser(stack.worker.url, { name: "Olivia" });
      member = await signUpVerifiedUser(stack.worker.url, { name: "Bruno" });
      teamId = await createTeam(stack.worker.url, owner);
      await joinTeam(stack.worker.url, owner, teamId, member, "member");
      // Teams get no free allowance: credits for the team agent's turns, through the test-only ledger route.
      const grant = await fetch(`${stack.worker.url}/api/test/ledger`, {
        method: "POST",
        body: JSON.stringify({ action: "grant", accountId: teamId, amount: 200_000 }),
      });
      expect(grant.status, await grant.text()).toBe(200);
      const agent = await as<{ id: string }>(owner, "/api/agent", { method: "POST", account: teamId, body: { name: "Team agent" } });
      expect(agent.status).toBe(201);
      agentId = agent.body.id;
    }, 90_000);

    it("enforces the team's allow-list: only owners and admins set it, and only listed servers are connected or offered", async () => {
      expect((await as<{ servers: string[] }>(member, `/api/teams/${teamId}/mcp-allowlist`)).body.servers).toEqual([]);
      const refused = await addConnector(owner, agentId, { name: "fake", url: mcp.mcpUrl, auth: "header", token: "token-alice-1234" });
      expect(refused.status).toBe(403);
      expect(await connectors(owner, agentId)).toEqual([]);

      expect((await as(member, `/api/teams/${teamId}/mcp-allowlist`, { method: "PUT", body: { servers: [mcp.url] } })).status).toBe(403);
      expect((await as(owner, `/api/teams/${teamId}/mcp-allowlist`, { method: "PUT", body: { servers: ["not a url"] } })).status).toBe(400);
      const set = await as<{ servers: string[] }>(owner, `/api/teams/${teamId}/mcp-allowlist`, {
        method: "PUT",
        body: { servers: [mcp.url] },
      });
      expect(set.body.servers).toEqual([mcp.url]);

      expect((await addConnector(member, agentId, { name: "fake", url: mcp.mcpUrl, auth: "header", token: "token-bob-5678" })).status).toBe(
        403,
      );
      const added = await addConnector(owner, agentId, { name: "fake", url: mcp.mcpUrl, auth: "header", token: "token-alice-1234" });
      expect(added.status, added.text).toBe(201);
      connectorId = added.body.connector.id;

      // Taken off the list: the connector stays, but no turn is offered its tools.
      await as(owner, `/api/teams/${teamId}/mcp-allowlist`, { method: "PUT", body: { servers: [] } });
      expect((await connectors(owner, agentId))[0]).toMatchObject({ name: "fake", status: "not_allowed" });
      stack.model.reset();
      stack.model.enqueue({ text: "ok" });
      await turn(owner, agentId, "hello");
      expect(offered(0)).not.toContain("fake__echo");
      expect(systemPrompt(0)).toContain("the team's MCP allow-list does not include its server");
      await as(owner, `/api/teams/${teamId}/mcp-allowlist`, { method: "PUT", body: { servers: [mcp.url] } });
    }, 90_000);

    it("keeps each member's connection their own: a member who has not connected sees 'connect to use' and their turn goes without it", async () => {
      expect((await connectors(owner, agentId))[0]).toMatchObject({ status: "connected" });
      expect((await connectors(member, agentId))[0]).toMatchObject({ status: "connect_to_use" });
      const memberTools = await as<{ status: string; tools: unknown[] }>(member, `/api/agent/${agentId}/connectors/${connectorId}/tools`);
      expect(memberTools.body).toEqual({ status: "connect_to_use", tools: [] });

      const callsBefore = mcp.calls.length;
      stack.model.reset();
      stack.model.enqueue(callTool("fake__echo", { text: "as bruno" }));
      const memberTurn = await turn(member, agentId, "echo as the member");
      expect(offered(0)).not.toContain("fake__echo");
      expect(systemPrompt(0)).toContain(
        'Connector "fake" (tools fake__*) is unavailable in this turn: Bruno has not connected it (connect to use',
      );
      expect(memberTurn.toolCalls[0]).toMatchObject({ name: "fake__echo", state: "output-error" });
      expect(mcp.calls.length).toBe(callsBefore);

      // The owner's turns still use the owner's token.
      stack.model.reset();
      stack.model.enqueue(callTool("fake__echo", { text: "as olivia" }));
      expect((await turn(owner, agentId, "echo as the owner")).toolCalls[0]!.output?.text).toBe("echo: as olivia (for alice)");

      // Connected with their own token, the member's turns use it, and only theirs.
      const connected = await as(member, `/api/agent/${agentId}/connectors/${connectorId}/connection`, {
        method: "PUT",
        body: { token: "token-bob-5678" },
      });
      expect(connected.status, connected.text).toBe(200);
      expect((await connectors(member, agentId))[0]).toMatchObject({ status: "connected" });
      stack.model.reset();
      stack.model.enqueue(callTool("fake__echo", { text: "as bruno" }));
      const from = mcp.requests.length;
      expect((await turn(member, agentId, "echo as the member again")).toolCalls[0]!.output?.text).toBe("echo: as bruno (for bob)");
      // Every MCP request of the member's turn carried the member's own token (the owner's earlier turn may still be
      // closing its connection, which sends no request with a body).
      const posts = mcp.requests.slice(from).filter((r) => r.method === "POST");
      expect(posts.length).toBeGreaterThan(0);
      expect(new Set(posts.map((r) => r.authorization))).toEqual(new Set(["Bearer token-bob-5678"]));
    }, 120_000);

    it("removes every member's credential with the connector (D1), and only those who manage the agent may remove it", async () => {
      const rows = () =>
        queryLocalD1<{ n: number }>(
          stack.worker.persistTo,
          `SELECT COUNT(*) AS n FROM mcp_connection WHERE connector_id = '${connectorId}'`,
        )[0]!.n;
      expect(rows()).toBe(2);
      expect((await as(member, `/api/agent/${agentId}/connectors/${connectorId}`, { method: "DELETE" })).status).toBe(403);
      expect((await as(owner, `/api/agent/${agentId}/connectors/${connectorId}`, { method: "DELETE" })).status).toBe(204);
      expect(rows()).toBe(0);
      expect(queryLocalD1(stack.worker.persistTo, `SELECT id FROM mcp_connector WHERE id = '${connectorId}'`)).toEqual([]);
      expect(await connectors(owner, agentId)).toEqual([]);
      expect((await as(owner, `/api/agent/${agentId}/connectors/${connectorId}`, { method: "DELETE" })).status).toBe(404);
    }, 60_000);
  });
});
