import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { teamForRequest } from "@/lib/teams/access.ts";
import { transferOwnership } from "@/lib/teams/members.ts";
import { TransferOwnershipBody } from "@/lib/teams/schemas.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string }> };

/** Makes another member owner; the caller, an owner, becomes an admin. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { teamId } = await params;
  const { caller, team } = await teamForRequest(request, env, teamId);
  const { userId } = await readJson(request, TransferOwnershipBody);
  await transferOwnership(getDb(env.DB), team, caller.user.id, userId);
  return new Response(null, { status: 204 });
});
