import { z } from "zod";
import { chatThread } from "@/operations/agent-access.ts";
import { threadForRequest } from "@/operations/agent-access.ts";
import { ThreadTitle } from "@/lib/agents/schemas.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { getDb } from "@/db/client.ts";
import { deleteThreadShares } from "@/lib/threads/shares.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

/** A new title, a pin (the thread stays at the top of the list) or both. */
const ThreadChanges = z
  .object({ title: ThreadTitle, pinned: z.boolean() })
  .strict()
  .partial()
  .refine((v) => Object.keys(v).length > 0, "give a title or pinned");

export const GET = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const { thread } = await threadForRequest(request, getEnv(), id, tid);
  return Response.json(thread);
});

export const PATCH = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const { hub } = await threadForRequest(request, getEnv(), id, tid);
  const { title, pinned } = await readJson(request, ThreadChanges);
  if (title !== undefined) await hub.renameThread(tid, title);
  return Response.json(pinned === undefined ? await hub.getThread(tid) : await hub.pinThread(tid, pinned));
});

/** Deletes the thread with its history, its branches and its share links. */
export const DELETE = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const { hub, agent } = await threadForRequest(request, env, id, tid);
  await (await chatThread(env, agent.id, tid)).erase();
  await hub.deleteThread(tid);
  await deleteThreadShares(getDb(env.DB), agent.id, tid);
  return new Response(null, { status: 204 });
});
