import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { setUserLimits } from "@/lib/admin/limits.ts";
import { LimitsBody } from "@/lib/admin/queries.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** Raises (or resets to the default with null) the agent and live-workspace caps of the user's personal account. */
export const PUT = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  const body = await readJson(request, LimitsBody);
  return Response.json({ limits: await setUserLimits(getDb(env.DB), admin, (await params).id, body) });
});
