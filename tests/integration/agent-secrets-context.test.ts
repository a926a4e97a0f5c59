import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";
import { type ApiInit, apiRequest } from "../support/http.ts";
import { authRecorderScript } from "../support/sandboxd.ts";

// The endpoint enforces a small context window, and the Worker is told so (as with a small Ollama num_ctx).
const CONTEXT_TOKENS = 6000;

let stack: AgentStack;
let owner: TestUser;
let agentId: string;
const base = () => stack.worker.url;

function api<T>(user: TestUser, path: string, init: ApiInit = {}) {
  return apiRequest<T>(base(), user, path, { ...init, headers: { accept: "application/json", ...init.headers } });
}

async function newThread(): Promise<string> {
  return (await api<{ id: string }>(owner, `/api/agent/${agentId}/threads`, { method: "POST" })).body.id;
}

interface TurnSummary {
  text: string;
  error?: string;
  toolCalls: { name: string; output: unknown }[];
}

async function turn(threadId: string, text: string): Promise<TurnSummary> {
  const { status, body } = await api<TurnSummary>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`, {
    method: "POST",
    body: JSON.stringify({ text }),
  });
  expect(status).toBe(200);
  return body;
}

beforeAll(async () => {
  stack = await startAgentStack({ model: { contextTokens: CONTEXT_TOKENS }, vars: { LLM_CONTEXT_TOKENS: String(CONTEXT_TOKENS) } });
  owner = await signUpVerifiedUser(base());
  agentId = (await api<{ agents: { id: string }[] }>(owner, "/api/agent")).body.agents[0]!.id;
}, 180_000);
afterAll(() => stack?.dispose());
beforeEach(() => stack.model.reset());

describe("agent secrets", () => {
  it("gives commands the secret but never shows it in the thread, the tool results, the model's prompts or the process logs", async () => {
    const secret = `tok-${randomUUID()}`;
    const put = await api<{ secrets: { name: string; hint: string }[] }>(owner, `/api/agent/${agentId}/secrets`, {
      method: "PUT",
      body: JSON.stringify({ secrets: { DEPLOY_TOKEN: secret } }),
    });
    expect(put.status).toBe(200);
    expect(put.body.secrets.map((s) => s.name)).toEqual(["DEPLOY_TOKEN"]);
    const listed = await api(owner, `/api/agent/${agentId}/secrets`);
    expect(listed.text).toContain("DEPLOY_TOKEN");
    expect(listed.text).not.toContain(secret.slice(4));

    const threadId = await newThread();
    stack.model.enqueue(
      { toolCalls: [{ name: "exec", arguments: { command: 'echo "token is $DEPLOY_TOKEN"; printf %s "$DEPLOY_TOKEN" | wc -c' } }] },
      { toolCalls: [{ name: "start_process", arguments: { command: 'echo "server got $DEPLOY_TOKEN"; sleep 30' } }] },
      { text: "Both ran." },
    );
    const answer = await turn(threadId, "Use the deploy token");
    expect(answer.error).toBeUndefined();
    const exec = answer.toolCalls[0]!.output as { stdout: string; exitCode: number };
    expect(exec.exitCode).toBe(0);
    expect(exec.stdout).toContain("token is [secret DEPLOY_TOKEN]");
    // The command really had the value: its length is that of the secret.
    expect(exec.stdout).toContain(String(secret.length));
    const processId = (answer.toolCalls[1]!.output as { id: string }).id;

    stack.model.enqueue({ toolCalls: [{ name: "process_logs", arguments: { id: processId } }] }, { text: "Read the logs." });
    const deadline = Date.now() + 20_000;
    let logs = await api<string>(owner, `/api/agent/${agentId}/processes/${processId}/logs`);
    while (!logs.text.includes("server got") && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      logs = await api<string>(owner, `/api/agent/${agentId}/processes/${processId}/logs`);
    }
    expect(logs.text).toContain("server got [secret DEPLOY_TOKEN]");
    const followed = await fetch(`${base()}/api/agent/${agentId}/processes/${processId}/logs?follow=1`, {
      headers: owner.headers(),
      signal: AbortSignal.timeout(3_000),
    });
    let streamed = "";
    try {
      const reader = followed.body!.getReader();
      while (!streamed.includes("server got")) {
        const { value, done } = await reader.read();
        if (done) break;
        streamed += new TextDecoder().decode(value);
      }
      await reader.cancel();
    } catch {
      // The timeout ends a stream that stays open while the process sleeps.
    }
    expect(streamed).toContain("[secret DEPLOY_TOKEN]");
    expect(streamed).not.toContain(secret);

    const logsAnswer = await turn(threadId, "Show the logs");
    expect(JSON.stringify(logsAnswer.toolCalls[0]!.output)).toContain("server got [secret DEPLOY_TOKEN]");

    const thread = await api(owner, `/api/agent/${agentId}/threads/${threadId}/messages`);
    expect(thread.text).toContain("[secret DEPLOY_TOKEN]");
    expect(thread.text).not.toContain(secret);
    expect(logs.text).not.toContain(secret);
    expect(stack.model.requests.length).toBeGreaterThan(0);
    for (const request of stack.model.requests) expect(request.rawBody).not.toContain(secret);

    await api(owner, `/api/agent/${agentId}/processes/${processId}`, { method: "DELETE" });
    expect((await api(owner, `/api/agent/${agentId}/secrets?name=DEPLOY_TOKEN`, { method: "DELETE" })).status).toBe(204);
    expect((await api<{ secrets: unknown[] }>(owner, `/api/agent/${agentId}/secrets`)).body.secrets).toEqual([]);
  }, 120_000);

  it("keeps a secret's base64, hex and URL-encoded forms out of the thread and the model's prompts", async () => {
    const secret = `tok-${randomUUID()}`;
    await api(owner, `/api/agent/${agentId}/secrets`, { method: "PUT", body: JSON.stringify({ secrets: { API_TOKEN: secret } }) });
    const threadId = await newThread();
    stack.model.enqueue(
      {
        toolCalls: [
          {
            name: "exec",
            arguments: {
              command:
                'printf %s "$API_TOKEN" | base64; printf %s "$API_TOKEN" | od -An -tx1 | tr -d " \\\\n"; echo; printf "x%s" "$API_TOKEN" | base64 -w0',
            },
          },
        ],
      },
      { text: "Encoded it." },
    );
    const answer = await turn(threadId, "Encode the token");
    const exec = answer.toolCalls[0]!.output as { stdout: string; exitCode: number };
    expect(exec.exitCode).toBe(0);
    expect(exec.stdout.match(/\[secret API_TOKEN\]/g)?.length).toBe(3);
    const encoded = [
      Buffer.from(secret).toString("base64"),
      Buffer.from(secret).toString("hex"),
      Buffer.from(`x${secret}`).toString("base64").slice(4, -4),
    ];
    const thread = await api(owner, `/api/agent/${agentId}/threads/${threadId}/messages`);
    for (const form of [secret, ...encoded]) {
      expect(thread.text).not.toContain(form);
      for (const request of stack.model.requests) expect(request.rawBody).not.toContain(form);
    }
    expect((await api(owner, `/api/agent/${agentId}/secrets?name=API_TOKEN`, { method: "DELETE" })).status).toBe(204);
  }, 60_000);

  it("refuses a secret name that is not an environment variable name, and another user's agent", async () => {
    const bad = await api(owner, `/api/agent/${agentId}/secrets`, {
      method: "PUT",
      body: JSON.stringify({ secrets: { "bad-name": "value" } }),
    });
    expect(bad.status).toBe(400);
    const stranger = await signUpVerifiedUser(base());
    expect((await api(stranger, `/api/agent/${agentId}/secrets`)).status).toBe(404);
  });
});

describe("git push with the agent's token", () => {
  it("pushes a workspace repository from the API and from the git_push tool, showing no token", async () => {
    const token = `ghp_${randomUUID().replace(/-/g, "")}`;
    await api(owner, `/api/agent/${agentId}/secrets`, { method: "PUT", body: JSON.stringify({ secrets: { GIT_TOKEN: token } }) });
    const setup = await api<{ exitCode: number; stderr: string }>(owner, `/api/agent/${agentId}/exec`, {
      method: "POST",
      body: JSON.stringify({
        command:
          "git init -q --bare remote.git && git init -q -b main proj && cd proj && " +
          "git -c user.email=a@example.com -c user.name=A commit -q --allow-empty -m first && git remote add origin ../remote.git",
      }),
    });
    expect(setup.body).toMatchObject({ exitCode: 0 });

    const pushed = await api<{ exitCode: number }>(owner, `/api/agent/${agentId}/git/push`, {
      method: "POST",
      body: JSON.stringify({ dir: "proj", branch: "main" }),
    });
    expect(pushed.status).toBe(200);
    expect(pushed.body.exitCode).toBe(0);
    expect(pushed.text).not.toContain(token);
    const log = await api<{ stdout: string }>(owner, `/api/agent/${agentId}/exec`, {
      method: "POST",
      body: JSON.stringify({ command: "git --git-dir=remote.git log --format=%s main" }),
    });
    expect(log.body.stdout.trim()).toBe("first");

    await api(owner, `/api/agent/${agentId}/exec`, {
      method: "POST",
      body: JSON.stringify({ command: "cd proj && git -c user.email=a@example.com -c user.name=A commit -q --allow-empty -m second" }),
    });
    const threadId = await newThread();
    stack.model.enqueue({ toolCalls: [{ name: "git_push", arguments: { dir: "proj", branch: "main" } }] }, { text: "Pushed." });
    const answer = await turn(threadId, "Push the project");
    expect(answer.toolCalls[0]).toMatchObject({ name: "git_push", output: { exitCode: 0 } });
    const after = await api<{ stdout: string }>(owner, `/api/agent/${agentId}/exec`, {
      method: "POST",
      body: JSON.stringify({ command: "git --git-dir=remote.git log --format=%s main" }),
    });
    expect(after.body.stdout.trim().split("\n")).toEqual(["second", "first"]);
    expect((await api(owner, `/api/agent/${agentId}/threads/${threadId}/messages`)).text).not.toContain(token);
    await api(owner, `/api/agent/${agentId}/secrets?name=GIT_TOKEN`, { method: "DELETE" });
  }, 120_000);
});

describe("which secrets commands get", () => {
  const exec = (command: string) =>
    api<{ exitCode: number; stdout: string; stderr: string }>(owner, `/api/agent/${agentId}/exec`, {
      method: "POST",
      body: JSON.stringify({ command }),
    });

  it("keeps git tokens and secrets marked so out of commands; the git token goes only to the hosts it is bound to", async () => {
    const token = `ghp_${randomUUID().replace(/-/g, "")}`;
    const put = await api<{ secrets: { name: string; commands: boolean; hosts: string[] | null }[] }>(
      owner,
      `/api/agent/${agentId}/secrets`,
      {
        method: "PUT",
        body: JSON.stringify({
          secrets: { GIT_TOKEN: token, SIGNING_KEY: { value: "signing-key-value", commands: false }, PLAIN_KEY: "plain-key-value" },
        }),
      },
    );
    expect(put.status).toBe(200);
    expect(put.body.secrets).toEqual([
      expect.objectContaining({ name: "GIT_TOKEN", commands: false, hosts: ["github.com", "gitlab.com", "bitbucket.org", "codeberg.org"] }),
      expect.objectContaining({ name: "PLAIN_KEY", commands: true, hosts: null }),
      expect.objectContaining({ name: "SIGNING_KEY", commands: false, hosts: null }),
    ]);

    const threadId = await newThread();
    stack.model.enqueue(
      { toolCalls: [{ name: "exec", arguments: { command: 'printf "[%s][%s][%s]" "$GIT_TOKEN" "$SIGNING_KEY" "$PLAIN_KEY"' } }] },
      { text: "Printed." },
    );
    const answer = await turn(threadId, "Print the variables");
    expect((answer.toolCalls[0]!.output as { stdout: string }).stdout).toBe("[][][[secret PLAIN_KEY]]");

    // A push to a server in the workspace (as a member could aim it) goes without the token, and says so.
    expect((await exec(`cat > recorder.py <<'PY'\n${authRecorderScript(8431, "auth-8431.txt")}\nPY`)).body.exitCode).toBe(0);
    const server = await api<{ id: string }>(owner, `/api/agent/${agentId}/processes`, {
      method: "POST",
      body: JSON.stringify({ command: "python3 recorder.py" }),
    });
    expect(server.status).toBe(201);
    const setup = await exec(
      "until python3 -c \"import socket; socket.create_connection(('127.0.0.1', 8431))\" 2>/dev/null; do sleep 0.1; done; " +
        "git init -q -b main bound && cd bound && git -c user.email=a@example.com -c user.name=A commit -q --allow-empty -m first && " +
        "git remote add origin http://127.0.0.1:8431/repo.git",
    );
    expect(setup.body.exitCode, setup.body.stderr).toBe(0);
    const elsewhere = await api<{ exitCode: number; stderr: string }>(owner, `/api/agent/${agentId}/git/push`, {
      method: "POST",
      body: JSON.stringify({ dir: "bound", branch: "main" }),
    });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.body.exitCode).not.toBe(0);
    expect(elsewhere.body.stderr).toContain("goes to 127.0.0.1:8431 without it");
    expect((await exec("cat auth-8431.txt")).body.exitCode).not.toBe(0);

    // Bound to that host, the token goes there (as Basic auth), and the answer still does not show it.
    await api(owner, `/api/agent/${agentId}/secrets`, {
      method: "PUT",
      body: JSON.stringify({ secrets: { GIT_TOKEN: { value: token, hosts: ["127.0.0.1:8431"] } } }),
    });
    const bound = await api<{ exitCode: number }>(owner, `/api/agent/${agentId}/git/push`, {
      method: "POST",
      body: JSON.stringify({ dir: "bound", branch: "main" }),
    });
    expect(bound.text).not.toContain(token);
    expect((await exec("cat auth-8431.txt")).body.stdout).toBe(`Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`);

    await api(owner, `/api/agent/${agentId}/processes/${server.body.id}`, { method: "DELETE" });
    for (const name of ["GIT_TOKEN", "SIGNING_KEY", "PLAIN_KEY"]) {
      await api(owner, `/api/agent/${agentId}/secrets?name=${name}`, { method: "DELETE" });
    }
  }, 120_000);

  it("refuses a git token for commands, hosts on another secret and a malformed host, storing nothing", async () => {
    const before = (await api(owner, `/api/agent/${agentId}/secrets`)).text;
    for (const secrets of [
      { GIT_TOKEN: { value: "token-value", commands: true } },
      { PLAIN_KEY: { value: "plain-value", hosts: ["github.com"] } },
      { GIT_TOKEN: { value: "token-value", hosts: ["evil host/path"] } },
      { GIT_TOKEN: { value: "token-value", hosts: [] } },
    ]) {
      const answer = await api<{ error: { code: string; message: string } }>(owner, `/api/agent/${agentId}/secrets`, {
        method: "PUT",
        body: JSON.stringify({ secrets }),
      });
      expect(answer.status, JSON.stringify(secrets)).toBe(400);
      expect(answer.body.error.message.length).toBeGreaterThan(0);
    }
    expect((await api(owner, `/api/agent/${agentId}/secrets`)).text).toBe(before);
  });
});

describe("agent presets", () => {
  it("creates a data analyst with its instructions, Python tools without git, and starter files in its workspace", async () => {
    const created = await api<{ id: string; preset: string; instructions: string }>(owner, "/api/agent", {
      method: "POST",
      body: JSON.stringify({ name: "Analyst", preset: "data-analyst" }),
    });
    expect(created.status).toBe(201);
    expect(created.body.preset).toBe("data-analyst");
    expect(created.body.instructions).toMatch(/data analyst working in Python/);
    const analyst = created.body.id;
    const threadId = (await api<{ id: string }>(owner, `/api/agent/${analyst}/threads`, { method: "POST" })).body.id;
    stack.model.enqueue({ toolCalls: [{ name: "exec", arguments: { command: "ls analysis data output" } }] }, { text: "Listed." });
    const { body } = await api<TurnSummary>(owner, `/api/agent/${analyst}/threads/${threadId}/messages`, {
      method: "POST",
      body: JSON.stringify({ text: "What is here?" }),
    });
    expect((body.toolCalls[0]!.output as { stdout: string }).stdout).toContain("explore.py");
    const offered = (stack.model.requests[0]!.body!.tools as { function: { name: string } }[]).map((t) => t.function.name);
    expect(offered).toContain("run_code");
    expect(offered).not.toContain("git_clone");

    const coding = await api<{ preset: string; instructions: string }>(owner, "/api/agent", {
      method: "POST",
      body: JSON.stringify({ name: "Coder", preset: "coding" }),
    });
    expect(coding.body).toMatchObject({ preset: "coding" });
    expect(coding.body.instructions).toMatch(/nextjs template/);
    expect((await api(owner, "/api/agent", { method: "POST", body: JSON.stringify({ name: "X", preset: "wizard" }) })).status).toBe(400);
  }, 120_000);
});

describe("a conversation longer than the model's context window", () => {
  it("keeps working: older turns are summarized in the prompt, every prompt fits the limit, the full history stays stored", async () => {
    const threadId = await newThread();
    const turns = 14;
    for (let i = 0; i < turns; i++) {
      const message = `message ${i}: ${"lorem ipsum dolor sit amet ".repeat(60).trim()}`;
      const answer = await turn(threadId, message);
      expect(answer.error).toBeUndefined();
      expect(answer.text).toBe(`Echo: ${message}`);
    }
    expect(stack.model.requests).toHaveLength(turns);
    expect(stack.model.overContextRequests).toEqual([]);
    expect(stack.model.maxPromptTokens).toBeLessThanOrEqual(CONTEXT_TOKENS);
    // Without summarizing, the last prompt would carry every earlier turn, well past the limit.
    const lastPrompt = stack.model.requests.at(-1)!;
    expect(lastPrompt.rawBody).toContain("summarized here");
    expect(lastPrompt.rawBody).toContain("message 0:");

    const stored = await api<{ messages: { role: string }[] }>(owner, `/api/agent/${agentId}/threads/${threadId}/messages`);
    expect(stored.body.messages).toHaveLength(turns * 2);
  }, 240_000);
});
