import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle } from "@/lib/http/respond.ts";
import { NotFound } from "@/lib/errors.ts";
import { openShare } from "@/lib/threads/shares.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ token: string }> };

/** Public: the snapshot behind a share link (title, time shared, messages); 404 once revoked. */
export const GET = handle(async (_request, { params }: Params) => {
  const { token } = await params;
  const shared = await openShare(getDb(getEnv().DB), token);
  if (!shared) throw new NotFound("This link does not exist or was revoked");
  return Response.json(shared, { headers: { "cache-control": "no-store" } });
});
