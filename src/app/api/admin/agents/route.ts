import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { listPlatformAgents } from "@/lib/admin/agents.ts";
import { pageQuery } from "@/lib/admin/queries.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

export const GET = handle(async (request) => {
  const env = getEnv();
  await requireAdminCaller(request, env);
  return Response.json(await listPlatformAgents(getDb(env.DB), pageQuery(request)), { headers: { "cache-control": "no-store" } });
});
