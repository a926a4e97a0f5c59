import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { requireUser, requireVerifiedUser } from "@/lib/auth/caller.ts";
import { NewTeamBody } from "@/lib/teams/schemas.ts";
import { createTeam, listTeams } from "@/lib/teams/teams.ts";

export const dynamic = "force-dynamic";

/** The caller's teams with their role and permissions in each. */
export const GET = handle(async (request) => {
  const env = getEnv();
  const caller = await requireUser(request, env);
  return Response.json({ teams: await listTeams(getDb(env.DB), caller.user.id) }, { headers: { "cache-control": "no-store" } });
});

/** Creates a team with the caller as its owner. */
export const POST = handle(async (request) => {
  const env = getEnv();
  const caller = await requireVerifiedUser(request, env);
  const body = await readJson(request, NewTeamBody);
  return Response.json(await createTeam(getDb(env.DB), caller.user.id, body), { status: 201 });
});
