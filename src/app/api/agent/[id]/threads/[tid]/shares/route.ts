import { getDb } from "@/db/client.ts";
import { threadForRequest } from "@/operations/agent-access.ts";
import { shareThread } from "@/operations/thread-transcripts.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";
import { listShares } from "@/lib/threads/shares.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

/** The thread's share links, newest first, revoked ones included. */
export const GET = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const { agent } = await threadForRequest(request, env, id, tid);
  return Response.json({ shares: await listShares(getDb(env.DB), agent.id, tid) });
});

/** Shares a read-only snapshot of the thread's messages as they are now (needs `threads.share` in a team). */
export const POST = handle(async (request, { params }: Params) => {
  const { id, tid } = await params;
  const env = getEnv();
  const access = await threadForRequest(request, env, id, tid);
  return Response.json(await shareThread(env, access, requestTime(request, env)), { status: 201 });
});
