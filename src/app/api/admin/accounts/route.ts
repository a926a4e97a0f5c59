import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { searchAccounts } from "@/lib/admin/accounts.ts";
import { pageQuery } from "@/lib/admin/queries.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

/** Billing accounts (teams and personal) matching ?q= (name, slug or owner's email), teams first, paginated. */
export const GET = handle(async (request) => {
  const env = getEnv();
  await requireAdminCaller(request, env);
  return Response.json(await searchAccounts(getDb(env.DB), pageQuery(request)), { headers: { "cache-control": "no-store" } });
});
