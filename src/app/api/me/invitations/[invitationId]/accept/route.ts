import { getDb } from "@/db/client.ts";
import { requireVerifiedUser } from "@/lib/auth/caller.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";
import { acceptInvitationById } from "@/lib/teams/invitations.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ invitationId: string }> };

/** Joins the team of a pending invitation sent to the caller's address (the same rules as the emailed link). */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const caller = await requireVerifiedUser(request, env);
  const joined = await acceptInvitationById(getDb(env.DB), caller, (await params).invitationId, requestTime(request, env));
  return Response.json(joined);
});
