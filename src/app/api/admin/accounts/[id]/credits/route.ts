import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { adjustAccountCredits } from "@/lib/admin/accounts.ts";
import { CreditAdjustmentBody } from "@/lib/admin/queries.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** Adds or removes credits on any billing account (a team's too), with a required reason; audited. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  const body = await readJson(request, CreditAdjustmentBody);
  return Response.json(await adjustAccountCredits(env, getDb(env.DB), admin, (await params).id, body), { status: 201 });
});
