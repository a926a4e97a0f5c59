import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { listAudit } from "@/lib/admin/audit.ts";
import { auditQuery } from "@/lib/admin/queries.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

/** Admin actions newest first; ?before= pages back, ?targetId= and ?action= narrow. */
export const GET = handle(async (request) => {
  const env = getEnv();
  await requireAdminCaller(request, env);
  return Response.json({ entries: await listAudit(getDb(env.DB), auditQuery(request)) }, { headers: { "cache-control": "no-store" } });
});
