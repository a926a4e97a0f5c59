import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { teamForRequest } from "@/lib/teams/access.ts";
import { changeMemberRole, leaveTeam, removeMember } from "@/lib/teams/members.ts";
import { ChangeRoleBody } from "@/lib/teams/schemas.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string; userId: string }> };

/** Changes a member's role (built-in or custom). */
export const PATCH = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { teamId, userId } = await params;
  const { caller, team } = await teamForRequest(request, env, teamId, "members.roles");
  const { role } = await readJson(request, ChangeRoleBody);
  await changeMemberRole(getDb(env.DB), team, caller.user.id, userId, role);
  return new Response(null, { status: 204 });
});

/** Removes a member; a member removing themselves leaves the team (no permission needed). */
export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { teamId, userId } = await params;
  const { caller, team } = await teamForRequest(request, env, teamId);
  if (userId === caller.user.id) {
    await leaveTeam(getDb(env.DB), team, caller.user.id);
  } else {
    const { team: allowed } = await teamForRequest(request, env, teamId, "members.remove");
    await removeMember(getDb(env.DB), allowed, caller.user.id, userId);
  }
  return new Response(null, { status: 204 });
});
