import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage } from "../../fakes/model-server.ts";
import { type AgentApi, agentApi } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { signUpUser, signUpVerifiedUser, type TestUser } from "../support/users.ts";

/**
 * Attachments: a message's files are uploaded to uploads/<thread>/ in the agent's workspace and reach the model as
 * what it can read (text inline, images as image parts for a vision model, a description otherwise). The fake model
 * server records each request, so the assertions are on what the model received.
 */

const ADMIN_EMAIL = `admin-${randomUUID().slice(0, 8)}@example.com`;
// A 1x1 transparent PNG.
const PNG = Uint8Array.from(
  Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64"),
);

let stack: AgentStack;
let owner: TestUser;
let admin: TestUser;
let api: AgentApi;
let stranger: TestUser;

type Upload = { name: string; content: string | Uint8Array; type?: string };
type Saved = { path: string; name: string; mediaType: string; kind: string; size: number; url: string };

async function upload(threadId: string, files: Upload[], as: TestUser = owner, agentId = api.agentId) {
  const form = new FormData();
  for (const file of files) form.append("file", new Blob([file.content as BlobPart], { type: file.type ?? "" }), file.name);
  const response = await fetch(`${stack.worker.url}/api/agent/${agentId}/threads/${threadId}/attachments`, {
    method: "POST",
    headers: as.headers(),
    body: form,
  });
  return { status: response.status, body: (await response.json()) as { attachments: Saved[]; error?: { code: string; message: string } } };
}

async function uploadsOf(threadId: string): Promise<string[]> {
  const response = await fetch(`${stack.worker.url}/api/agent/${api.agentId}/files?path=${encodeURIComponent(`uploads/${threadId}`)}`, {
    headers: owner.headers(),
  });
  if (response.status === 404) return [];
  const { entries } = (await response.json()) as { entries: { name: string }[] };
  return entries.map((e) => e.name);
}

const turnWith = (threadId: string, text: string, attachments: string[]) =>
  api.call<{ text: string; error?: string }>(`/api/agent/${api.agentId}/threads/${threadId}/messages`, {
    method: "POST",
    headers: { accept: "application/json" },
    body: JSON.stringify({ text, attachments }),
  });

/** The content parts of the last user message the model received. */
function lastUserContent(): { type: string; text?: string; image_url?: { url: string } }[] {
  const body = stack.model.requests.at(-1)?.body;
  const user = body?.messages.findLast((m: ChatMessage) => m.role === "user");
  const content = user?.content;
  return typeof content === "string" ? [{ type: "text", text: content }] : (content as { type: string }[]);
}

async function setVision(vision: boolean) {
  const response = await fetch(`${stack.worker.url}/api/admin/models`, {
    method: "PATCH",
    headers: admin.headers({ "content-type": "application/json" }),
    body: JSON.stringify({ id: "gpt-oss:20b", changes: { vision } }),
  });
  expect(response.status).toBe(200);
  expect(((await response.json()) as { vision: boolean }).vision).toBe(vision);
}

beforeAll(async () => {
  stack = await startAgentStack({ vars: { ADMIN_EMAILS: ADMIN_EMAIL } });
  owner = await signUpVerifiedUser(stack.worker.url);
  admin = await signUpUser(stack.worker.url, { email: ADMIN_EMAIL });
  api = await agentApi(stack.worker.url, owner);
  stranger = await signUpVerifiedUser(stack.worker.url);
}, 180_000);
afterAll(() => stack?.dispose());

describe("message attachments", () => {
  it("saves an upload under uploads/<thread>/ with its bytes, never over an earlier one", async () => {
    const threadId = await api.newThread();
    const first = await upload(threadId, [{ name: "notes.txt", content: "first\n" }]);
    expect(first.status).toBe(201);
    expect(first.body.attachments).toEqual([
      expect.objectContaining({ path: `uploads/${threadId}/notes.txt`, name: "notes.txt", kind: "text", size: 6 }),
    ]);
    const again = await upload(threadId, [{ name: "notes.txt", content: "second\n" }]);
    expect(again.body.attachments[0]!.path).toBe(`uploads/${threadId}/notes (2).txt`);
    const read = await fetch(`${stack.worker.url}${first.body.attachments[0]!.url}`, { headers: owner.headers() });
    expect(await read.text()).toBe("first\n");
    expect((await uploadsOf(threadId)).sort()).toEqual(["notes (2).txt", "notes.txt"]);
  });

  it("gives a text file's contents to the model inline, with its name, and keeps the file part in the history", async () => {
    const threadId = await api.newThread();
    const marker = `const answer = "${randomUUID()}";`;
    const saved = await upload(threadId, [{ name: "app.ts", content: `${marker}\nexport default answer;\n`, type: "video/mp2t" }]);
    expect(saved.status).toBe(201);
    stack.model.enqueue({ text: "It exports a constant." });
    const turn = await turnWith(threadId, "What does this file do?", [saved.body.attachments[0]!.path]);
    expect(turn.status).toBe(200);
    expect(turn.body.text).toBe("It exports a constant.");
    const text = lastUserContent()
      .map((p) => p.text ?? "")
      .join("\n");
    expect(text).toContain(`uploads/${threadId}/app.ts`);
    expect(text).toContain(marker);
    expect(text).toContain("What does this file do?");

    const { body } = await api.call<{ messages: { role: string; parts: { type: string; filename?: string; url?: string }[] }[] }>(
      `/api/agent/${api.agentId}/threads/${threadId}/messages`,
    );
    const file = body.messages.find((m) => m.role === "user")!.parts.find((p) => p.type === "file");
    expect(file).toMatchObject({ filename: "app.ts", url: saved.body.attachments[0]!.url });
  });

  it("sends an image to a vision model as an image part and describes it by name, type and size to any other", async () => {
    const threadId = await api.newThread();
    const saved = await upload(threadId, [{ name: "pixel.png", content: PNG, type: "image/png" }]);
    expect(saved.status).toBe(201);
    const path = saved.body.attachments[0]!.path;

    stack.model.enqueue({ text: "I cannot see it." });
    expect((await turnWith(threadId, "What is in this picture?", [path])).status).toBe(200);
    const described = lastUserContent();
    expect(described.some((p) => p.type === "image_url")).toBe(false);
    const description = described.map((p) => p.text ?? "").join("\n");
    expect(description).toContain(path);
    expect(description).toContain("image/png");
    expect(description).toContain(`${PNG.length} B`);

    await setVision(true);
    try {
      const visionThread = await api.newThread();
      const again = await upload(visionThread, [{ name: "pixel.png", content: PNG, type: "image/png" }]);
      stack.model.enqueue({ text: "A single pixel." });
      expect((await turnWith(visionThread, "What is in this picture?", [again.body.attachments[0]!.path])).status).toBe(200);
      const image = lastUserContent().find((p) => p.type === "image_url");
      expect(image?.image_url?.url).toBe(`data:image/png;base64,${Buffer.from(PNG).toString("base64")}`);
    } finally {
      await setVision(false);
    }
  });

  it("refuses an oversized file (413), too many files (400) and a bad type (415), and saves nothing of the request", async () => {
    const threadId = await api.newThread();
    const big = await upload(threadId, [
      { name: "small.txt", content: "fine" },
      { name: "big.txt", content: new Uint8Array(10 * 1024 * 1024 + 1) },
    ]);
    expect(big.status).toBe(413);
    expect(big.body.error).toMatchObject({ code: "payload_too_large" });
    expect(big.body.error!.message).toContain("big.txt");

    const many = await upload(
      threadId,
      Array.from({ length: 6 }, (_, i) => ({ name: `f${i}.txt`, content: "x" })),
    );
    expect(many.status).toBe(400);
    expect(many.body.error).toMatchObject({ code: "too_many_files" });

    const exe = await upload(threadId, [
      { name: "ok.md", content: "# fine" },
      { name: "setup.exe", content: "MZ" },
    ]);
    expect(exe.status).toBe(415);
    expect(exe.body.error).toMatchObject({ code: "unsupported_media_type" });
    expect(exe.body.error!.message).toContain("setup.exe");

    const fakePng = await upload(threadId, [{ name: "photo.png", content: "<script>alert(1)</script>" }]);
    expect(fakePng.status).toBe(415);

    expect(await uploadsOf(threadId)).toEqual([]);
  });

  it("refuses a turn naming a file outside the thread's uploads", async () => {
    const threadId = await api.newThread();
    const other = await api.newThread();
    const saved = await upload(other, [{ name: "elsewhere.txt", content: "other thread" }]);
    const requests = stack.model.requests.length;
    for (const path of [saved.body.attachments[0]!.path, "uploads/../.env", "notes.md"]) {
      const turn = await turnWith(threadId, "Read this", [path]);
      expect(turn.status).toBe(400);
    }
    expect(stack.model.requests.length).toBe(requests);
  });

  it("answers 404 for another account's agent and an unknown thread, and saves nothing", async () => {
    const threadId = await api.newThread();
    const foreign = await upload(threadId, [{ name: "intruder.txt", content: "hello" }], stranger);
    expect(foreign.status).toBe(404);
    const unknown = await upload("nothread0000", [{ name: "lost.txt", content: "hello" }]);
    expect(unknown.status).toBe(404);
    expect(await uploadsOf(threadId)).toEqual([]);
  });
});
