import { getDb } from "@/db/client.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { handle, readJson } from "@/lib/http/respond.ts";
import { emailOrigin } from "@/lib/auth/config.ts";
import { requestTime } from "@/lib/http/clock.ts";
import { teamForRequest } from "@/lib/teams/access.ts";
import { createInvitation, listInvitations } from "@/lib/teams/invitations.ts";
import { NewInvitationBody } from "@/lib/teams/schemas.ts";

export const dynamic = "force-dynamic";
type Params = { params: Promise<{ teamId: string }> };

export const GET = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { team } = await teamForRequest(request, env, (await params).teamId, "members.invite");
  const invitations = await listInvitations(getDb(env.DB), team.id, requestTime(request, env));
  return Response.json({ invitations }, { headers: { "cache-control": "no-store" } });
});

/** Invites an email address with a role; the link (7 days, single use) goes out by email. */
export const POST = handle(async (request, { params }: Params) => {
  const env = getEnv();
  const { caller, team } = await teamForRequest(request, env, (await params).teamId, "members.invite");
  const body = await readJson(request, NewInvitationBody);
  const invitation = await createInvitation(env, getDb(env.DB), team, caller, {
    ...body,
    origin: emailOrigin(request, env),
    now: requestTime(request, env),
  });
  return Response.json(invitation, { status: 201 });
});
