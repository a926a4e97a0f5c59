import { z } from "zod";
import { getDb } from "@/db/client.ts";
import { threadForRequest } from "@/operations/agent-access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle, parseWith } from "@/lib/http/respond.ts";
import { Forbidden } from "@/lib/errors.ts";
import { revokeShare } from "@/lib/threads/shares.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string; shareId: string }> };

/** Revokes a share link at once: its page and GET /api/shares/:token answer 404 from then on. */
export const DELETE = handle(async (request, { params }: Params) => {
  const { id, tid, shareId } = await params;
  const env = getEnv();
  const access = await threadForRequest(request, env, id, tid);
  if (!access.account.permissions.includes("threads.share")) {
    throw new Forbidden("Your role in this team does not allow sharing threads (threads.share)");
  }
  const where = { agentId: access.agent.id, threadId: tid, shareId: parseWith(z.uuid(), shareId) };
  return Response.json(await revokeShare(getDb(env.DB), where, requestTime(request, env)));
});
