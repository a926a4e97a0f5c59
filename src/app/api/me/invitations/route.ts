import { getDb } from "@/db/client.ts";
import { requireUser } from "@/lib/auth/caller.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";
import { invitationsForCaller } from "@/lib/teams/invitations.ts";

export const dynamic = "force-dynamic";

/** The pending team invitations sent to the caller's (verified) address, newest first. */
export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  const invitations = await invitationsForCaller(getDb(env.DB), caller, requestTime(request, env));
  return Response.json({ invitations }, { headers: { "cache-control": "no-store" } });
});
