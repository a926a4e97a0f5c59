import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Checkpoint, CheckpointDiff, RestoreResult } from "../../src/sandbox/types.ts";
import { type AgentApi, agentApi, eventually } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

let stack: AgentStack;
let owner: TestUser;
let api: AgentApi;
let stranger: AgentApi;

const binary: Uint8Array<ArrayBuffer> = new Uint8Array(Array.from({ length: 3000 }, (_, i) => (i * 31 + 7) % 256));

async function putFile(path: string, content: string | Uint8Array<ArrayBuffer>) {
  const response = await fetch(`${stack.worker.url}/api/agent/${api.agentId}/files?path=${encodeURIComponent(path)}`, {
    method: "PUT",
    headers: owner.headers({ "content-type": "application/octet-stream" }),
    body: content,
  });
  expect(response.status).toBe(201);
}

async function fileBytes(path: string): Promise<{ status: number; bytes: Uint8Array }> {
  const response = await fetch(`${stack.worker.url}/api/agent/${api.agentId}/files?path=${encodeURIComponent(path)}`, {
    headers: owner.headers(),
  });
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
}

const checkpointsOf = async (threadId: string) =>
  (await api.call<{ checkpoints: Checkpoint[] }>(`/api/agent/${api.agentId}/checkpoints?thread=${threadId}`)).body.checkpoints;

beforeAll(async () => {
  stack = await startAgentStack();
  owner = await signUpVerifiedUser(stack.worker.url);
  api = await agentApi(stack.worker.url, owner);
  stranger = await agentApi(stack.worker.url, await signUpVerifiedUser(stack.worker.url));
}, 180_000);
afterAll(() => stack?.dispose());

describe("workspace checkpoints of agent turns", () => {
  it("checkpoints before a turn edits and deletes files; restore brings them back byte for byte, and restoring again undoes it", async () => {
    await putFile("site/index.html", "<h1>Hello</h1>\n");
    await putFile("site/logo.bin", binary);
    await putFile("notes.md", "keep me\n");
    const threadId = await api.newThread();
    stack.model.enqueue(
      { toolCalls: [{ name: "write_file", arguments: { path: "site/index.html", content: "<h1>Goodbye</h1>\n" } }] },
      { toolCalls: [{ name: "delete_file", arguments: { path: "site/logo.bin" } }] },
      { toolCalls: [{ name: "delete_file", arguments: { path: "notes.md" } }] },
      { text: "Done." },
    );
    const turn = await api.turn(threadId, "Change the heading and remove the logo and the notes");
    expect(turn.status).toBe(200);
    expect(turn.body.toolCalls.map((c) => c.state)).toEqual(["output-available", "output-available", "output-available"]);

    const { body: history } = await api.call<{ messages: { id: string; role: string }[] }>(
      `/api/agent/${api.agentId}/threads/${threadId}/messages`,
    );
    const userMessageId = history.messages.find((m) => m.role === "user")!.id;
    const [after, before] = await eventually(
      async () => {
        const list = await checkpointsOf(threadId);
        return list.length === 2 && list;
      },
      15_000,
      "the turn's two checkpoints",
    );
    expect(before).toMatchObject({ kind: "before-turn", threadId, messageId: userMessageId });
    expect(after).toMatchObject({ kind: "after-turn", threadId, messageId: userMessageId });

    const diff = await api.call<CheckpointDiff>(`/api/agent/${api.agentId}/checkpoints/${before!.id}/diff?to=${after!.id}`);
    expect(diff.status).toBe(200);
    expect(diff.body.files).toEqual([
      { path: "notes.md", status: "deleted" },
      { path: "site/index.html", status: "modified" },
      { path: "site/logo.bin", status: "deleted", binary: true },
    ]);
    expect(diff.body.patch).toContain("-<h1>Hello</h1>\n+<h1>Goodbye</h1>\n");

    const restore = await api.call<RestoreResult>(`/api/agent/${api.agentId}/checkpoints/${before!.id}/restore`, { method: "POST" });
    expect(restore.status).toBe(200);
    expect(restore.body.undo).toMatchObject({ kind: "before-restore", restoring: before!.id });
    expect(new TextDecoder().decode((await fileBytes("site/index.html")).bytes)).toBe("<h1>Hello</h1>\n");
    expect((await fileBytes("site/logo.bin")).bytes).toEqual(binary);
    expect(new TextDecoder().decode((await fileBytes("notes.md")).bytes)).toBe("keep me\n");

    const undo = await api.call<RestoreResult>(`/api/agent/${api.agentId}/checkpoints/${restore.body.undo.id}/restore`, {
      method: "POST",
    });
    expect(undo.status).toBe(200);
    expect(new TextDecoder().decode((await fileBytes("site/index.html")).bytes)).toBe("<h1>Goodbye</h1>\n");
    expect((await fileBytes("site/logo.bin")).status).toBe(404);
    expect((await fileBytes("notes.md")).status).toBe(404);
  });

  it("takes no checkpoint for a turn that changes no files", async () => {
    const threadId = await api.newThread();
    stack.model.enqueue({ toolCalls: [{ name: "list_files", arguments: {} }] }, { text: "Listed." });
    expect((await api.turn(threadId, "What is there?")).status).toBe(200);
    expect(await checkpointsOf(threadId)).toEqual([]);
  });

  it("keeps another account's checkpoints out of reach and answers bad input with a 4xx that changes nothing", async () => {
    await putFile("stay.txt", "stay\n");
    const { body } = await api.call<{ checkpoint: Checkpoint }>(`/api/agent/${api.agentId}/checkpoints`, { method: "POST", body: {} });
    const id = body.checkpoint.id;
    await putFile("stay.txt", "changed\n");

    // Another user: the agent is not theirs (404), and their own agent's workspace has no such checkpoint (404).
    expect((await stranger.call(`/api/agent/${api.agentId}/checkpoints`)).status).toBe(404);
    expect((await stranger.call(`/api/agent/${api.agentId}/checkpoints/${id}/restore`, { method: "POST" })).status).toBe(404);
    const foreign = await stranger.call<{ error: { code: string } }>(`/api/agent/${stranger.agentId}/checkpoints/${id}/restore`, {
      method: "POST",
    });
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe("checkpoint_not_found");

    const bad = [
      await api.call(`/api/agent/${api.agentId}/checkpoints/not-an-id/restore`, { method: "POST" }),
      await api.call(`/api/agent/${api.agentId}/checkpoints/${id}/diff?to=yesterday`),
      await api.call(`/api/agent/${api.agentId}/checkpoints?thread=../x`),
      await api.call(`/api/agent/${api.agentId}/checkpoints`, { method: "POST", body: { keep: 1 } }),
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400]);
    const unknown = await api.call(`/api/agent/${api.agentId}/checkpoints/ck-zzzzzz-00000000/restore`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(new TextDecoder().decode((await fileBytes("stay.txt")).bytes)).toBe("changed\n");
  });
});
