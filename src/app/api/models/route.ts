import { getDb } from "@/db/client.ts";
import { requireUser } from "@/lib/auth/caller.ts";
import { listEnabledModels } from "@/lib/billing/catalog.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

/** The models an agent may use, with their credit prices (what the agent settings page offers). */
export const GET = handle(async (request) => {
  const env = getEnv();
  await requireUser(request, env);
  return Response.json({ models: await listEnabledModels(getDb(env.DB)) });
});
