import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { AllowlistBody, allowlistOf, setAllowlist } from "@/lib/mcp/allowlist.ts";
import { recordAudit } from "@/lib/teams/audit.ts";
import { teamForRequest } from "@/lib/teams/access.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string }> };

/** The MCP servers the team's agents may connect to (any member may read it). */
export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { team } = await teamForRequest(request, env, (await params).teamId);
  return Response.json({ servers: (await allowlistOf(getDb(env.DB), team.id)) ?? [] });
});

/** Replaces the allow-list (team.settings: owners and admins); connectors to servers it leaves out stop working at once. */
export const PUT = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { caller, team } = await teamForRequest(request, env, (await params).teamId, "team.settings");
  const { servers } = await readJson(request, AllowlistBody);
  const db = getDb(env.DB);
  const stored = await setAllowlist(db, team.id, servers);
  await recordAudit(db, team.id, caller.user.id, "mcp_allowlist.changed", { servers: stored });
  return Response.json({ servers: stored });
});
