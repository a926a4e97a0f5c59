import { randomUUID } from "node:crypto";
import { apiOk } from "./http.ts";
import type { TestUser } from "./users.ts";

/** Creates a team owned by `owner`; its id. */
export async function createTeam(baseUrl: string, owner: TestUser, name = "Acme"): Promise<string> {
  const team = await apiOk<{ id: string }>(baseUrl, owner, "/api/teams", {
    method: "POST",
    body: { name, slug: `team-${randomUUID().slice(0, 8)}` },
  });
  return team.id;
}

/** Invites `user` as the owner, then accepts through the link the invitation email carries (the dev mailbox). */
export async function joinTeam(baseUrl: string, owner: TestUser, teamId: string, user: TestUser, role: string): Promise<void> {
  await apiOk(baseUrl, owner, `/api/teams/${teamId}/invitations`, { method: "POST", body: { email: user.email, role } });
  const mail = await apiOk<{ messages: { links: string[] }[] }>(
    baseUrl,
    undefined,
    `/api/dev/mailbox?to=${encodeURIComponent(user.email)}`,
  );
  const link = mail.messages.flatMap((m) => m.links).find((l) => decodeURIComponent(l).includes("/team/invite/"));
  if (!link) throw new Error(`no invitation email for ${user.email}`);
  const token = decodeURIComponent(link).split("/team/invite/")[1]!;
  await apiOk(baseUrl, user, `/api/teams/invitations/${token}/accept`, { method: "POST" });
}
