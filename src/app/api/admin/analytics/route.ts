import { requireAdminCaller } from "@/lib/admin/access.ts";
import { platformAnalytics } from "@/lib/admin/analytics.ts";
import { analyticsQuery } from "@/lib/admin/queries.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

/** Platform totals per UTC day over the last ?days= days (default 30). */
export const GET = handle(async (request) => {
  const env = getEnv();
  await requireAdminCaller(request, env);
  return Response.json(await platformAnalytics(env.DB, analyticsQuery(request).days, requestTime(request, env)), {
    headers: { "cache-control": "no-store" },
  });
});
