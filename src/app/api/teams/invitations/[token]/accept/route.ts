import { getDb } from "@/db/client.ts";
import { requireVerifiedUser } from "@/lib/auth/caller.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";
import { acceptInvitation } from "@/lib/teams/invitations.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ token: string }> };

/** Joins the team with the invitation's role: once, within 7 days, only as the invited email address. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const caller = await requireVerifiedUser(request, env);
  const joined = await acceptInvitation(getDb(env.DB), caller, (await params).token, requestTime(request, env));
  return Response.json(joined);
});
