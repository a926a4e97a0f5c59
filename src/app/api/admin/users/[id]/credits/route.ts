import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { CreditAdjustmentBody } from "@/lib/admin/queries.ts";
import { adjustUserCredits } from "@/lib/admin/users.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** Adds or removes credits on the user's personal account, with a required reason recorded in the ledger. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  const body = await readJson(request, CreditAdjustmentBody);
  return Response.json(await adjustUserCredits(env, getDb(env.DB), admin, (await params).id, body), { status: 201 });
});
