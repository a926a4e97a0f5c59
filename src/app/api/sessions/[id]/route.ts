import { getDb } from "@/db/client.ts";
import { requireSessionUser } from "@/lib/auth/caller.ts";
import { revokeSession } from "@/lib/auth/sessions.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";

export const dynamic = "force-dynamic";

export const DELETE = handle(async (request, { params }: { params: Promise<{ id: string }> }) => {
  const env = getEnv();
  const caller = await requireSessionUser(request, env);
  await revokeSession(getDb(env.DB), caller.user.id, (await params).id);
  return new Response(null, { status: 204 });
});
