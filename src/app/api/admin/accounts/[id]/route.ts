import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { accountDetails } from "@/lib/admin/accounts.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** One billing account: balance, members and the newest ledger rows. */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  await requireAdminCaller(request, env);
  return Response.json(await accountDetails(env, getDb(env.DB), (await params).id), { headers: { "cache-control": "no-store" } });
});
