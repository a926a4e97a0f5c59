import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { teamForRequest } from "@/lib/teams/access.ts";
import { deleteRole, updateRole } from "@/lib/teams/roles.ts";
import { UpdateRoleBody } from "@/lib/teams/schemas.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string; roleId: string }> };

export const PATCH = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { teamId, roleId } = await params;
  const { caller, team } = await teamForRequest(request, env, teamId, "members.roles");
  const body = await readJson(request, UpdateRoleBody);
  return Response.json(await updateRole(getDb(env.DB), team, caller.user.id, roleId, body));
});

/** Deletes a custom role that no member holds. */
export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { teamId, roleId } = await params;
  const { caller, team } = await teamForRequest(request, env, teamId, "members.roles");
  await deleteRole(getDb(env.DB), team, caller.user.id, roleId);
  return new Response(null, { status: 204 });
});
