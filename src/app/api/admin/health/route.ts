import { requireAdminCaller } from "@/lib/admin/access.ts";
import { APP_VERSION } from "@/lib/app-version.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";
import { adminHealth } from "@/operations/admin-health.ts";

export const dynamic = "force-dynamic";

/** What is not configured or not answering (model endpoint, Stripe, email...), with what to set: for admins only. */
export const GET = handle(async (request) => {
  const env = getEnv();
  await requireAdminCaller(request, env);
  return Response.json(await adminHealth(env, APP_VERSION), { headers: { "cache-control": "no-store" } });
});
