import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";
import { teamForRequest } from "@/lib/teams/access.ts";
import { listAudit } from "@/lib/teams/audit.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string }> };

/** The team's audit log, newest first (owners and admins: audit.view). */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { team } = await teamForRequest(request, env, (await params).teamId, "audit.view");
  return Response.json({ events: await listAudit(getDb(env.DB), team.id) }, { headers: { "cache-control": "no-store" } });
});
