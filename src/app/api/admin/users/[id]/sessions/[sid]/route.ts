import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { revokeUserSessions } from "@/lib/admin/users.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string; sid: string }> };

export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  const { id, sid } = await params;
  return Response.json(await revokeUserSessions(getDb(env.DB), admin, id, sid));
});
