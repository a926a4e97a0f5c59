import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";
import { teamForRequest } from "@/lib/teams/access.ts";
import { listMembers } from "@/lib/teams/members.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string }> };

/** The team's members with their roles (any member may see who else belongs). */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { team } = await teamForRequest(request, env, (await params).teamId);
  return Response.json({ members: await listMembers(getDb(env.DB), team.id) }, { headers: { "cache-control": "no-store" } });
});
