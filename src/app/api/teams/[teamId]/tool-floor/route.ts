import { getDb } from "@/db/client.ts";
import { ToolFloorBody } from "@/lib/agents/schemas.ts";
import { setToolPolicyFloor, toolPolicyFloor } from "@/lib/agents/tool-policy-store.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { recordAudit } from "@/lib/teams/audit.ts";
import { teamForRequest } from "@/lib/teams/access.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string }> };

/** The team's tool approval floor: the least strict decision each of its agents' tools may have. */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { team } = await teamForRequest(request, env, (await params).teamId);
  return Response.json({ floor: await toolPolicyFloor(getDb(env.DB), team.id) });
});

/** Replaces the floor (team.settings: owners and admins); members cannot set their agents below it. */
export const PUT = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { caller, team } = await teamForRequest(request, env, (await params).teamId, "team.settings");
  const { floor } = await readJson(request, ToolFloorBody);
  const db = getDb(env.DB);
  const stored = await setToolPolicyFloor(db, team.id, floor);
  await recordAudit(db, team.id, caller.user.id, "tool_floor.changed", { floor: stored });
  return Response.json({ floor: stored });
});
