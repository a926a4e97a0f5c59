import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { ChatSocket, textOf } from "../support/chat-socket.ts";
import { startTestWorker } from "../support/worker.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

let stack: AgentStack;
let user: TestUser;
let agentId: string;
const base = () => stack.worker.url;

async function newThread(): Promise<string> {
  const response = await fetch(`${base()}/api/agent/${agentId}/threads`, { method: "POST", headers: user.headers() });
  return ((await response.json()) as { id: string }).id;
}

async function messages(threadId: string) {
  const response = await fetch(`${base()}/api/agent/${agentId}/threads/${threadId}/messages`, { headers: user.headers() });
  return (
    (await response.json()) as {
      messages: { role: string; parts: { type: string; text?: string }[]; metadata?: { interrupted?: boolean } }[];
    }
  ).messages;
}

beforeAll(async () => {
  stack = await startAgentStack();
  user = await signUpVerifiedUser(base());
  const response = await fetch(`${base()}/api/agent`, { headers: user.headers() });
  agentId = ((await response.json()) as { agents: { id: string }[] }).agents[0]!.id;
}, 180_000);
afterAll(() => stack?.dispose());

describe("streams that outlive their connections", () => {
  it("gives a client that reconnects mid-stream the rest of the answer: the full text once, nothing duplicated", async () => {
    const threadId = await newThread();
    const answer = Array.from({ length: 60 }, (_, i) => `word${i}`).join(" ");
    stack.model.enqueue({ text: answer, chunkSize: 6, delayMsBetweenChunks: 25 });
    const first = await ChatSocket.open(`${base()}/ws/thread/${agentId}-${threadId}`, user.headers());
    const requestId = first.sendMessage("tell me a long story");
    await first.waitFor(() => textOf(first.chunks(requestId)).length > 40, 20_000, "some text");
    first.close();

    const second = await ChatSocket.open(`${base()}/ws/thread/${agentId}-${threadId}`, user.headers());
    const resumedId = await second.resume();
    expect(resumedId).toBe(requestId);
    const { chunks } = await second.response(requestId);
    second.close();
    expect(textOf(chunks)).toBe(answer);

    const stored = await messages(threadId);
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant"]);
    expect(
      stored[1]!.parts
        .filter((p) => p.type === "text")
        .map((p) => p.text)
        .join(""),
    ).toBe(answer);
  });

  it("finishes a turn whose HTTP client went away, and keeps it in the history", async () => {
    const threadId = await newThread();
    stack.model.enqueue({ text: "finished without you", chunkSize: 3, delayMsBetweenChunks: 30 });
    const controller = new AbortController();
    const response = await fetch(`${base()}/api/agent/${agentId}/threads/${threadId}/messages`, {
      method: "POST",
      headers: user.headers({ "content-type": "application/json" }),
      body: JSON.stringify({ text: "go on" }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();

    const deadline = Date.now() + 20_000;
    let stored = await messages(threadId);
    while (stored.length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      stored = await messages(threadId);
    }
    expect(
      stored[1]!.parts
        .filter((p) => p.type === "text")
        .map((p) => p.text)
        .join(""),
    ).toBe("finished without you");
  });
});

describe("a runtime crash mid-turn", () => {
  it("keeps the history after wrangler is SIGKILLed and restarted, and marks the interrupted turn", async () => {
    const threadId = await newThread();
    stack.model.enqueue({ text: "first answer" });
    const done = await fetch(`${base()}/api/agent/${agentId}/threads/${threadId}/messages`, {
      method: "POST",
      headers: user.headers({ "content-type": "application/json", accept: "application/json" }),
      body: JSON.stringify({ text: "first question" }),
    });
    expect(((await done.json()) as { text: string }).text).toBe("first answer");

    stack.model.enqueue({ text: "a partial answer that never ends ", stall: false, chunkSize: 4, delayMsBetweenChunks: 40 });
    const socket = await ChatSocket.open(`${base()}/ws/thread/${agentId}-${threadId}`, user.headers());
    const requestId = socket.sendMessage("second question");
    await socket.waitFor(() => textOf(socket.chunks(requestId)).length >= 8, 20_000, "part of the answer");
    await stack.worker.kill();
    await stack.worker.restart();

    const deadline = Date.now() + 30_000;
    let stored = await messages(threadId);
    while (stored.length < 4 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      stored = await messages(threadId);
    }
    expect(stored.map((m) => m.role)).toEqual(["user", "assistant", "user", "assistant"]);
    expect(stored[1]!.parts.map((p) => p.text ?? "").join("")).toBe("first answer");
    expect(stored[2]!.parts.map((p) => p.text ?? "").join("")).toBe("second question");
    expect(stored[3]!.metadata?.interrupted).toBe(true);
    expect(stored[3]!.parts.map((p) => p.text ?? "").join("")).toMatch(/interrupted/);
    const credits = await fetch(`${base()}/api/credits`, { headers: user.headers() });
    expect(credits.status).toBe(200);
  });
});

describe("an unreachable model endpoint", () => {
  it("tells the user plainly that the model is not answering, without how to configure it, and charges nothing", async () => {
    const deadPort = await freePort();
    const worker = await startTestWorker({
      vars: { LLM_BASE_URL: `http://127.0.0.1:${deadPort}/v1`, SANDBOXD_URL: stack.sandboxd.url, SANDBOXD_SECRET: stack.sandboxd.secret },
    });
    try {
      const someone = await signUpVerifiedUser(worker.url);
      const agents = await fetch(`${worker.url}/api/agent`, { headers: someone.headers() });
      const id = ((await agents.json()) as { agents: { id: string }[] }).agents[0]!.id;
      const thread = await fetch(`${worker.url}/api/agent/${id}/threads`, { method: "POST", headers: someone.headers() });
      const tid = ((await thread.json()) as { id: string }).id;
      const turn = await fetch(`${worker.url}/api/agent/${id}/threads/${tid}/messages`, {
        method: "POST",
        headers: someone.headers({ "content-type": "application/json", accept: "application/json" }),
        body: JSON.stringify({ text: "anyone there?" }),
      });
      const body = (await turn.json()) as { error?: string; credits: number };
      // Plain words for the user (issue 23): how to run or configure a model server is for admins (/admin/health).
      expect(body.error).toMatch(/^The model is not answering; try again shortly\. Nothing was charged\./);
      expect(body.error).toContain(`http://127.0.0.1:${deadPort}/v1`);
      expect(body.error).not.toMatch(/LLM_BASE_URL|LLM_API_KEY|ollama/);
      expect(body.credits).toBe(0);
      const credits = await fetch(`${worker.url}/api/credits`, { headers: someone.headers() });
      expect(await credits.json()).toMatchObject({ balance: 50, reserved: 0 });
    } finally {
      await worker.dispose();
    }
  });
});
