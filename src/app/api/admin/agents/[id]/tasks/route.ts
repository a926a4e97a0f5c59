import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { agentTasks } from "@/operations/admin-agents.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  await requireAdminCaller(request, env);
  return Response.json({ tasks: await agentTasks(env, getDb(env.DB), (await params).id) }, { headers: { "cache-control": "no-store" } });
});
