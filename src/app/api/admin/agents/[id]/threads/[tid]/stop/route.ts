import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { stopAgentTurn } from "@/operations/admin-agents.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; tid: string }> };

export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  const { id, tid } = await params;
  await stopAgentTurn(env, getDb(env.DB), admin, id, tid);
  return Response.json({ stopped: true });
});
