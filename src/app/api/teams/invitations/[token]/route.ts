import { getDb } from "@/db/client.ts";
import { requireUser } from "@/lib/auth/caller.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";
import { previewInvitation } from "@/lib/teams/invitations.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ token: string }> };

/** What an invitation link offers (team, email, role, state), for the signed-in user about to accept it. */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  await requireUser(request, env);
  const preview = await previewInvitation(getDb(env.DB), (await params).token, requestTime(request, env));
  return Response.json(preview, { headers: { "cache-control": "no-store" } });
});
