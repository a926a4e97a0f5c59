import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { teamForRequest } from "@/lib/teams/access.ts";
import { createRole, listRoles } from "@/lib/teams/roles.ts";
import { NewRoleBody } from "@/lib/teams/schemas.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string }> };

/** The roles members can hold: built-in ones and the team's custom roles, each with its permissions. */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { team } = await teamForRequest(request, env, (await params).teamId);
  return Response.json({ roles: await listRoles(getDb(env.DB), team.id) }, { headers: { "cache-control": "no-store" } });
});

export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { caller, team } = await teamForRequest(request, env, (await params).teamId, "members.roles");
  const body = await readJson(request, NewRoleBody);
  return Response.json(await createRole(getDb(env.DB), team, caller.user.id, body), { status: 201 });
});
