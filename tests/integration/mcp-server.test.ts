import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { type ApiInit, apiRequest, createApiKey } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

/*
 * netM8 as an MCP server (/mcp), driven by the official MCP SDK client (Client + StreamableHTTPClientTransport) with
 * an API key, against the real Worker, sandboxd and the scripted model server. The OAuth sign-in of an MCP client is
 * tests/e2e/mcp-oauth.test.ts.
 */

let stack: AgentStack;
let owner: TestUser;
let agentId: string;
let client: Client;
const base = () => stack.worker.url;

function api<T = Record<string, unknown>>(user: TestUser, path: string, init: ApiInit = {}) {
  return apiRequest<T>(base(), user, path, init);
}

const apiKeyOf = (user: TestUser) => createApiKey(base(), user, "mcp client");

async function connect(apiKey: string): Promise<Client> {
  const mcp = new Client({ name: "netm8-tests", version: "1.0.0" });
  await mcp.connect(
    new StreamableHTTPClientTransport(new URL(`${base()}/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }),
  );
  return mcp;
}

interface ToolAnswer {
  isError: boolean;
  value: Record<string, unknown>;
}

/** Calls a tool and reads its JSON answer (the text content, which structuredContent repeats). */
async function call(mcp: Client, name: string, args: Record<string, unknown> = {}): Promise<ToolAnswer> {
  const result = await mcp.callTool({ name, arguments: args }, { timeout: 120_000 });
  const content = result.content as { type: string; text?: string }[];
  const value = JSON.parse(content.find((c) => c.type === "text")?.text ?? "{}") as Record<string, unknown>;
  expect(result.structuredContent).toEqual(value);
  return { isError: result.isError === true, value };
}

beforeAll(async () => {
  stack = await startAgentStack();
  owner = await signUpVerifiedUser(base());
  agentId = (await api<{ agents: { id: string }[] }>(owner, "/api/agent")).body.agents[0]!.id;
  client = await connect(await apiKeyOf(owner));
}, 180_000);
afterAll(async () => {
  await client?.close();
  await stack?.dispose();
});

describe("the MCP server with the official MCP SDK client and an API key", () => {
  it("lists its tools with their input schemas", async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["get_task", "list_agents", "list_threads", "read_file", "send_message", "start_task"]);
    const send = tools.find((t) => t.name === "send_message")!;
    expect(send.inputSchema.required).toEqual(expect.arrayContaining(["agent_id", "text"]));
  });

  it("lists the caller's agents", async () => {
    const { isError, value } = await call(client, "list_agents");
    expect(isError).toBe(false);
    expect((value.agents as { id: string }[]).map((a) => a.id)).toEqual([agentId]);
  });

  it("sends a message to an agent and answers its text, the thread and the credits charged", async () => {
    const first = await call(client, "send_message", { agent_id: agentId, text: "hello over mcp" });
    expect(first.isError).toBe(false);
    expect(first.value.text).toBe("Echo: hello over mcp");
    expect(first.value.credits).toBeGreaterThan(0);
    const threadId = first.value.thread_id as string;
    expect(threadId).toMatch(/^[a-z0-9]{12}$/);

    const second = await call(client, "send_message", { agent_id: agentId, text: "and again", thread_id: threadId });
    expect(second.value).toMatchObject({ text: "Echo: and again", thread_id: threadId });
    expect(JSON.stringify(stack.model.requests.at(-1)!.body!.messages)).toContain("hello over mcp");

    const history = await api<{ messages: { role: string; parts: { type: string; text?: string }[] }[] }>(
      owner,
      `/api/agent/${agentId}/threads/${threadId}/messages`,
    );
    expect(history.body.messages.map((m) => `${m.role}: ${m.parts.map((p) => p.text ?? "").join("")}`)).toEqual([
      "user: hello over mcp",
      "assistant: Echo: hello over mcp",
      "user: and again",
      "assistant: Echo: and again",
    ]);
    const ledger = await api<{ transactions: { agentId?: string | null; threadId?: string | null }[] }>(owner, "/api/credits/transactions");
    expect(JSON.stringify(ledger.body)).toContain(threadId);

    const threads = await call(client, "list_threads", { agent_id: agentId });
    expect((threads.value.threads as { id: string }[]).map((t) => t.id)).toContain(threadId);
  });

  it("reads a workspace file the agent wrote, and lists a directory", async () => {
    stack.model.enqueue({ toolCalls: [{ name: "write_file", arguments: { path: "notes/mcp.txt", content: "written for mcp\n" } }] });
    const turn = await call(client, "send_message", { agent_id: agentId, text: "write the note" });
    expect(turn.value.tool_calls).toEqual(["write_file"]);
    const file = await call(client, "read_file", { agent_id: agentId, path: "notes/mcp.txt" });
    expect(file.value).toMatchObject({ path: "notes/mcp.txt", text: "written for mcp\n" });
    const dir = await call(client, "read_file", { agent_id: agentId, path: "notes" });
    expect(JSON.stringify(dir.value.entries)).toContain("mcp.txt");
    const missing = await call(client, "read_file", { agent_id: agentId, path: "no/such/file" });
    expect(missing).toMatchObject({ isError: true, value: { error: { status: 404 } } });
  });

  it("starts a task and follows it with get_task until it reports", async () => {
    const started = await call(client, "start_task", { agent_id: agentId, goal: "say hello from a task", step_budget: 3 });
    expect(started.isError).toBe(false);
    const taskId = (started.value.task as { id: string }).id;
    const task = await eventually(
      async () => {
        const { value } = await call(client, "get_task", { agent_id: agentId, task_id: taskId });
        const found = value.task as { id: string; status: string };
        return found.status !== "running" && found;
      },
      60_000,
      "the task to end",
    );
    expect(task).toMatchObject({ id: taskId, status: "completed" });
    const unknown = await call(client, "get_task", { agent_id: agentId, task_id: "t-unknown" });
    expect(unknown).toMatchObject({ isError: true, value: { error: { status: 404 } } });
  });

  it("answers a 402 tool error to an account without credits, and asks the model nothing", async () => {
    const poor = await signUpVerifiedUser(base());
    const poorAgent = (await api<{ agents: { id: string }[] }>(poor, "/api/agent")).body.agents[0]!.id;
    const account = (await api<{ accountId: string }>(poor, "/api/credits")).body.accountId;
    const spend = await fetch(`${base()}/api/test/ledger`, {
      method: "POST",
      body: JSON.stringify({ action: "spend", accountId: account, maxCost: 50_000, actualCost: 50_000 }),
    });
    expect(spend.status).toBe(200);
    const theirs = await connect(await apiKeyOf(poor));
    const before = stack.model.requests.length;
    const refused = await call(theirs, "send_message", { agent_id: poorAgent, text: "please work" });
    expect(refused).toMatchObject({ isError: true, value: { error: { code: "insufficient_credits", status: 402 } } });
    expect(stack.model.requests.length).toBe(before);
    expect((await api<{ threads: unknown[] }>(poor, `/api/agent/${poorAgent}/threads`)).body.threads).toEqual([]);
    await theirs.close();
  });

  it("answers 404 tool errors for another account's agent, and changes nothing of it", async () => {
    const stranger = await signUpVerifiedUser(base());
    const theirs = await connect(await apiKeyOf(stranger));
    const threadsBefore = (await api<{ threads: unknown[] }>(owner, `/api/agent/${agentId}/threads`)).body.threads.length;
    for (const [name, args] of [
      ["send_message", { agent_id: agentId, text: "let me in" }],
      ["list_threads", { agent_id: agentId }],
      ["read_file", { agent_id: agentId, path: "notes/mcp.txt" }],
      ["start_task", { agent_id: agentId, goal: "take over" }],
      ["get_task", { agent_id: agentId, task_id: "t-unknown" }],
    ] as const) {
      const answer = await call(theirs, name, args);
      expect(answer, name).toMatchObject({ isError: true, value: { error: { code: "not_found", status: 404 } } });
    }
    expect((await call(theirs, "list_agents")).value.agents).not.toContainEqual(expect.objectContaining({ id: agentId }));
    expect((await api<{ threads: unknown[] }>(owner, `/api/agent/${agentId}/threads`)).body.threads.length).toBe(threadsBefore);
    await theirs.close();
  });
});

describe("/mcp without valid credentials", () => {
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  };
  const post = (headers: Record<string, string>) =>
    fetch(`${base()}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream", ...headers },
      body: JSON.stringify(initialize),
    });

  it("answers 401 with a WWW-Authenticate that points at the resource metadata, which names the authorization server", async () => {
    for (const headers of [
      {},
      { authorization: "Bearer nm8_not-a-real-key" },
      { authorization: "Bearer nm8oauth_forged" },
      owner.headers(),
    ]) {
      const response = await post(headers);
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
      expect(response.headers.get("www-authenticate")).toBe(
        `Bearer resource_metadata="${base()}/.well-known/oauth-protected-resource/mcp"`,
      );
    }
    const resource = (await (await fetch(`${base()}/.well-known/oauth-protected-resource/mcp`)).json()) as Record<string, unknown>;
    expect(resource).toMatchObject({ resource: `${base()}/mcp`, authorization_servers: [`${base()}/api/auth`] });
    for (const path of ["/.well-known/oauth-authorization-server/api/auth", "/.well-known/oauth-authorization-server"]) {
      const server = (await (await fetch(`${base()}${path}`)).json()) as Record<string, unknown>;
      expect(server, path).toMatchObject({
        issuer: `${base()}/api/auth`,
        authorization_endpoint: `${base()}/api/auth/oauth2/authorize`,
        token_endpoint: `${base()}/api/auth/oauth2/token`,
        registration_endpoint: `${base()}/api/auth/oauth2/register`,
        code_challenge_methods_supported: ["S256"],
      });
    }
  });

  it("lets an MCP client in a web page on another origin call /mcp and the OAuth endpoints (CORS, no credentials)", async () => {
    const origin = "http://localhost:6274";
    for (const path of ["/mcp", "/api/auth/oauth2/token", "/api/auth/oauth2/register", "/.well-known/oauth-protected-resource/mcp"]) {
      const preflight = await fetch(`${base()}${path}`, {
        method: "OPTIONS",
        headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type" },
      });
      expect(preflight.status, path).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin"), path).toBe("*");
      expect(preflight.headers.get("access-control-allow-headers"), path).toContain("authorization");
      expect(preflight.headers.get("access-control-allow-credentials"), path).toBeNull();
    }
    const refused = await post({ origin });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("access-control-allow-origin")).toBe("*");
    expect(refused.headers.get("access-control-expose-headers")).toContain("www-authenticate");
    // The app's own API stays same-origin.
    const api = await fetch(`${base()}/api/agent`, {
      method: "OPTIONS",
      headers: { origin, "access-control-request-method": "GET" },
    });
    expect(api.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("refuses a self-registered client that asks to skip consent, and sends a signed-in user to the consent page", async () => {
    const redirectUri = "http://127.0.0.1:53690/callback";
    const register = (extra: Record<string, unknown>) =>
      fetch(`${base()}/api/auth/oauth2/register`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://localhost:6274" },
        body: JSON.stringify({
          client_name: "Sneaky client",
          application_type: "native",
          redirect_uris: [redirectUri],
          token_endpoint_auth_method: "none",
          grant_types: ["authorization_code"],
          response_types: ["code"],
          ...extra,
        }),
      });
    const sneaky = await register({ skip_consent: true });
    expect(sneaky.status).toBe(400);
    expect(((await sneaky.json()) as { error: string }).error).toBe("invalid_client_metadata");

    const registered = await register({});
    const registration = await registered.text();
    expect(registered.status, registration).toBe(201);
    const { client_id: clientId } = JSON.parse(registration) as { client_id: string };
    const authorize = new URL(`${base()}/api/auth/oauth2/authorize`);
    for (const [key, value] of Object.entries({
      response_type: "code",
      client_id: clientId,
      redirect_uri: redirectUri,
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      resource: `${base()}/mcp`,
      state: "s",
    })) {
      authorize.searchParams.set(key, value);
    }
    // A fetch (not a navigation) gets the redirect as JSON `{redirect, url}`.
    const response = await fetch(authorize, { headers: { cookie: owner.cookie }, redirect: "manual" });
    const target = response.status === 200 ? ((await response.json()) as { url: string }).url : response.headers.get("location")!;
    const location = new URL(target, base());
    expect(location.pathname).toBe("/oauth/consent");
    expect(location.searchParams.get("code")).toBeNull();
  });

  it("answers a JSON-RPC 400 to a body that is not JSON-RPC", async () => {
    const key = await apiKeyOf(owner);
    for (const body of ["{not json", "[]", '{"unexpected":true}']) {
      const response = await fetch(`${base()}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream", authorization: `Bearer ${key}` },
        body,
      });
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/JSON/);
    }
  });
});
