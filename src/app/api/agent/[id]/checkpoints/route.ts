import { z } from "zod";
import { agentForRequest } from "@/operations/agent-access.ts";
import { openWorkspace, workspaceForRequest } from "@/operations/workspace.ts";
import { THREAD_ID } from "@/lib/agents/ids.ts";
import { CheckpointBody } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, parseWith, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

const ThreadFilter = z.string().regex(THREAD_ID, "is not a thread id").optional();

export const GET = handle(async (request, { params }: Params) => {
  const threadId = parseWith(ThreadFilter, new URL(request.url).searchParams.get("thread") ?? undefined);
  const { workspace } = await workspaceForRequest(request, getEnv(), (await params).id);
  const list = await workspace.listCheckpoints();
  return Response.json(threadId ? { ...list, checkpoints: list.checkpoints.filter((c) => c.threadId === threadId) } : list);
});

export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { agent } = await agentForRequest(request, env, (await params).id);
  await readJson(request, CheckpointBody);
  const { workspace } = await openWorkspace(request, env, agent);
  return Response.json({ checkpoint: await workspace.createCheckpoint({ kind: "manual" }) }, { status: 201 });
});
