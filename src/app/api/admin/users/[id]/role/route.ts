import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { RoleBody } from "@/lib/admin/queries.ts";
import { setUserRole } from "@/lib/admin/users.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

export const PUT = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  const { role } = await readJson(request, RoleBody);
  await setUserRole(getDb(env.DB), admin, (await params).id, role);
  return Response.json({ role });
});
