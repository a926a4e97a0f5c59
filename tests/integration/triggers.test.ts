import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signWebhook } from "../../src/lib/triggers/signature.ts";
import { eventually } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { type ApiInit, apiRequest } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

/*
 * Inbound triggers against the real Worker, sandboxd and the scripted model: a signed webhook starts exactly one
 * task and every refused request starts none; an email to the agent's address starts one task and gets one reply.
 */

let stack: AgentStack;
let owner: TestUser;
let agentId: string;
const base = () => stack.worker.url;

interface Trigger {
  id: string;
  kind: string;
  name: string;
  address: string;
  secret?: string;
}
interface Task {
  id: string;
  goal: string;
  status: string;
  report: { summary: string } | null;
}

function api<T = Record<string, unknown>>(user: TestUser, path: string, init: ApiInit = {}) {
  return apiRequest<T>(base(), user, path, init);
}

async function addTrigger(kind: "webhook" | "email", name: string): Promise<Trigger> {
  const { status, body } = await api<Trigger>(owner, `/api/agent/${agentId}/triggers`, {
    method: "POST",
    body: JSON.stringify({ kind, name }),
  });
  expect(status).toBe(201);
  return body;
}

async function tasks(): Promise<Task[]> {
  return (await api<{ tasks: Task[] }>(owner, `/api/agent/${agentId}/tasks`)).body.tasks;
}

async function deliver(url: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
  return { status: response.status, body: (await response.json()) as { taskId?: string; error?: { code: string; message: string } } };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

beforeAll(async () => {
  stack = await startAgentStack();
  owner = await signUpVerifiedUser(base());
  agentId = (await api<{ agents: { id: string }[] }>(owner, "/api/agent")).body.agents[0]!.id;
}, 180_000);
afterAll(() => stack?.dispose());

describe("a webhook of an agent", () => {
  it("refuses unsigned, wrongly signed, stale, replayed and oversized requests with a clear 4xx, and a signed one starts exactly one task", async () => {
    const hook = await addTrigger("webhook", "Deploys");
    expect(hook.secret).toMatch(/^whsec_/);
    expect(hook.address).toBe(`${base()}/api/webhooks/${hook.id}`);
    const payload = JSON.stringify({ event: "deploy.finished", sha: "abc123" });

    const refusals = [
      ["unsigned", await deliver(hook.address, payload)],
      [
        "wrong secret",
        await deliver(hook.address, payload, { "x-netm8-signature": await signWebhook("whsec_wrong", nowSeconds(), payload) }),
      ],
      [
        "signed for another body",
        await deliver(hook.address, payload, { "x-netm8-signature": await signWebhook(hook.secret!, nowSeconds(), "{}") }),
      ],
      [
        "stale",
        await deliver(hook.address, payload, { "x-netm8-signature": await signWebhook(hook.secret!, nowSeconds() - 600, payload) }),
      ],
      [
        "oversized",
        await (async () => {
          const big = JSON.stringify({ blob: "x".repeat(20_000) });
          return deliver(hook.address, big, { "x-netm8-signature": await signWebhook(hook.secret!, nowSeconds(), big) });
        })(),
      ],
    ] as const;
    expect(refusals.map(([what, r]) => `${what}: ${r.status} ${r.body.error?.code}`)).toEqual([
      "unsigned: 401 unauthorized",
      "wrong secret: 401 unauthorized",
      "signed for another body: 401 unauthorized",
      "stale: 401 unauthorized",
      "oversized: 413 payload_too_large",
    ]);
    expect(refusals.every(([, r]) => (r.body.error?.message ?? "").length > 10)).toBe(true);
    expect(await tasks()).toEqual([]);

    const signature = await signWebhook(hook.secret!, nowSeconds(), payload);
    const accepted = await deliver(hook.address, payload, { "x-netm8-signature": signature });
    expect(accepted.status).toBe(202);
    const replayed = await deliver(hook.address, payload, { "x-netm8-signature": signature });
    expect(replayed.status).toBe(409);
    expect(replayed.body.error?.message).toMatch(/already accepted/);

    const started = await tasks();
    expect(started.map((t) => t.id)).toEqual([accepted.body.taskId]);
    expect(started[0]!.goal).toContain('"sha":"abc123"');
    const done = await eventually(
      async () => (await tasks()).find((t) => t.id === accepted.body.taskId && t.status === "completed"),
      60_000,
      "the webhook's task to complete",
    );
    expect(done.report?.summary).toContain("deploy.finished");
  });

  it("is listed without its secret, and a revoked webhook starts nothing", async () => {
    const hook = await addTrigger("webhook", "Revoked soon");
    const { body } = await api<{ triggers: Trigger[] }>(owner, `/api/agent/${agentId}/triggers`);
    const listed = body.triggers.find((t) => t.id === hook.id)!;
    expect(listed).toMatchObject({ kind: "webhook", name: "Revoked soon", address: hook.address });
    expect(JSON.stringify(body)).not.toContain(hook.secret!);

    const before = (await tasks()).length;
    expect((await api(owner, `/api/agent/${agentId}/triggers/${hook.id}`, { method: "DELETE" })).status).toBe(200);
    const payload = "{}";
    const late = await deliver(hook.address, payload, { "x-netm8-signature": await signWebhook(hook.secret!, nowSeconds(), payload) });
    expect(late.status).toBe(404);
    expect((await tasks()).length).toBe(before);
  });

  it("refuses a signed delivery with 402 when the agent's account has no credits, and starts nothing", async () => {
    const poor = await signUpVerifiedUser(base());
    const poorAgent = (await api<{ agents: { id: string }[] }>(poor, "/api/agent")).body.agents[0]!.id;
    const { body: created } = await api<Trigger>(poor, `/api/agent/${poorAgent}/triggers`, {
      method: "POST",
      body: JSON.stringify({ kind: "webhook", name: "Poor" }),
    });
    const accountId = (await api<{ accountId: string }>(poor, "/api/credits")).body.accountId;
    const spend = await fetch(`${base()}/api/test/ledger`, {
      method: "POST",
      body: JSON.stringify({ action: "spend", accountId, maxCost: 50_000, actualCost: 50_000 }),
    });
    expect(spend.status).toBe(200);
    const payload = '{"n":1}';
    const refused = await deliver(created.address, payload, {
      "x-netm8-signature": await signWebhook(created.secret!, nowSeconds(), payload),
    });
    expect(refused.status).toBe(402);
    expect(refused.body.error?.code).toBe("insufficient_credits");
    expect((await api<{ tasks: Task[] }>(poor, `/api/agent/${poorAgent}/tasks`)).body.tasks).toEqual([]);
  });

  it("cannot be listed, added or revoked by another user", async () => {
    const stranger = await signUpVerifiedUser(base());
    const hook = await addTrigger("webhook", "Owner's");
    expect((await api(stranger, `/api/agent/${agentId}/triggers`)).status).toBe(404);
    expect((await api(stranger, `/api/agent/${agentId}/triggers/${hook.id}`, { method: "DELETE" })).status).toBe(404);
    const { body } = await api<{ triggers: Trigger[] }>(owner, `/api/agent/${agentId}/triggers`);
    expect(body.triggers.some((t) => t.id === hook.id)).toBe(true);
  });
});

describe("email to an agent", () => {
  function rawEmail(from: string, to: string, subject: string, messageId: string, text: string): string {
    return [
      `From: Sender <${from}>`,
      `To: ${to}`,
      `Subject: ${subject}`,
      `Message-ID: <${messageId}>`,
      "Date: Sat, 05 Dec 2026 12:00:00 +0000",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "",
      text,
      "",
    ].join("\r\n");
  }

  async function send(raw: string) {
    const response = await fetch(`${base()}/api/dev/email`, { method: "POST", headers: { "content-type": "message/rfc822" }, body: raw });
    return { status: response.status, body: (await response.json()) as { taskId?: string; error?: { message: string } } };
  }

  async function mailboxFor(address: string) {
    const response = await fetch(`${base()}/api/dev/mailbox?to=${encodeURIComponent(address)}`);
    return ((await response.json()) as { messages: { subject: string; text: string }[] }).messages;
  }

  it("starts one task from one message and replies once with the report; a redelivery and a stranger start nothing", async () => {
    const inbox = await addTrigger("email", "Inbox");
    expect(inbox.address).toMatch(new RegExp(`^${inbox.id}@`));
    const before = (await tasks()).length;
    const raw = rawEmail(owner.email, inbox.address, "Weekly numbers", `${crypto.randomUUID()}@mail.example`, "Please sum 2 and 3.");

    const accepted = await send(raw);
    expect(accepted.status).toBe(202);
    expect((await send(raw)).status).toBe(409);
    const stranger = await send(
      rawEmail("stranger@example.com", inbox.address, "Spend", `${crypto.randomUUID()}@x.example`, "Spend it all"),
    );
    expect(stranger.status).toBe(403);

    const all = await tasks();
    expect(all.length).toBe(before + 1);
    expect(all[0]!.id).toBe(accepted.body.taskId);
    expect(all[0]!.goal).toContain("Please sum 2 and 3.");

    const replies = await eventually(
      async () => {
        const found = (await mailboxFor(owner.email)).filter((m) => m.subject === "Re: Weekly numbers");
        return found.length > 0 ? found : null;
      },
      60_000,
      "the reply with the report",
    );
    expect(replies).toHaveLength(1);
    expect(replies[0]!.text).toContain("Please sum 2 and 3.");
    expect((await mailboxFor("stranger@example.com")).length).toBe(0);
  });
});
