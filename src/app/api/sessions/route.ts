import { getDb } from "@/db/client.ts";
import { requireSessionUser } from "@/lib/auth/caller.ts";
import { listSessions, revokeOtherSessions } from "@/lib/auth/sessions.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireSessionUser(request, env);
  const sessions = await listSessions(getDb(env.DB), caller.user.id, caller.sessionId);
  return Response.json({ sessions }, { headers: { "cache-control": "no-store" } });
});

/** Signs out every other session. */
export const DELETE = handle(async (request) => {
  const env = getEnv();
  const caller = await requireSessionUser(request, env);
  const revoked = await revokeOtherSessions(getDb(env.DB), caller.user.id, caller.sessionId);
  return Response.json({ revoked });
});
