import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";
import { teamForRequest } from "@/lib/teams/access.ts";
import { revokeInvitation } from "@/lib/teams/invitations.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string; invitationId: string }> };

/** Revokes a pending invitation: its link stops working at once. */
export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { teamId, invitationId } = await params;
  const { caller, team } = await teamForRequest(request, env, teamId, "members.invite");
  await revokeInvitation(getDb(env.DB), team.id, caller.user.id, invitationId, requestTime(request, env));
  return new Response(null, { status: 204 });
});
