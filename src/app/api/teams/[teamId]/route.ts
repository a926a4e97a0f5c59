import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { teamForRequest } from "@/lib/teams/access.ts";
import { DeleteTeamBody, UpdateTeamBody } from "@/lib/teams/schemas.ts";
import { deleteTeam } from "@/operations/agent-deletion.ts";
import { getTeam, renameTeam } from "@/lib/teams/teams.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string }> };

/** The team with the caller's role and permissions in it. */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { caller, team } = await teamForRequest(request, env, (await params).teamId);
  return Response.json(await getTeam(getDb(env.DB), team.id, caller.user.id), { headers: { "cache-control": "no-store" } });
});

export const PATCH = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { caller, team } = await teamForRequest(request, env, (await params).teamId, "team.settings");
  const { name } = await readJson(request, UpdateTeamBody);
  await renameTeam(getDb(env.DB), team.id, caller.user.id, name);
  return Response.json(await getTeam(getDb(env.DB), team.id, caller.user.id));
});

/** Deletes the team with its agents and workspaces; the body must confirm the team's slug. */
export const DELETE = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { team } = await teamForRequest(request, env, (await params).teamId, "team.delete");
  const { confirm } = await readJson(request, DeleteTeamBody);
  await deleteTeam(env, team.id, confirm);
  return new Response(null, { status: 204 });
});
