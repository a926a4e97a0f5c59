import { getDb } from "@/db/client.ts";
import { requireAdminCaller } from "@/lib/admin/access.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { BanBody } from "@/lib/admin/queries.ts";
import { unbanUser } from "@/lib/admin/users.ts";
import { banUser } from "@/operations/admin-agents.ts";
import { handle, readJson } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ id: string }> };

/** Bans the user: their sessions and API keys stop at once and their running tasks stop. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  const body = await readJson(request, BanBody);
  const result = await banUser(env, admin, (await params).id, {
    reason: body.reason,
    ...(body.expiresAt && { expiresAt: new Date(body.expiresAt) }),
  });
  return Response.json({ banned: true, ...result });
});

export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const admin = await requireAdminCaller(request, env);
  await unbanUser(getDb(env.DB), admin, (await params).id);
  return Response.json({ banned: false });
});
