import { requestJson } from "../api-client.ts";
import type { AuditEntry } from "@/lib/teams/audit.ts";
import type { InvitationForMe as InvitationForMeView, InvitationView, previewInvitation } from "@/lib/teams/invitations.ts";
import type { MemberView } from "@/lib/teams/members.ts";
import type { RoleView } from "@/lib/teams/roles.ts";
import type { TeamSummary } from "@/lib/teams/teams.ts";

export type Team = TeamSummary;
export type Member = MemberView;
export type Invitation = InvitationView;
export type Role = RoleView;
export type AuditEvent = AuditEntry;
export type InvitationForMe = InvitationForMeView;
export type InvitationPreview = Awaited<ReturnType<typeof previewInvitation>>;

/** Calls a team route from the browser (../api-client.ts); a refusal becomes an ApiError with the server's message. */
export function teamsRequest<T>(path: string, method = "GET", body?: unknown): Promise<T> {
  return requestJson<T>(path, { method, body });
}

export const teamPath = (teamId: string, rest = "") => `/api/teams/${encodeURIComponent(teamId)}${rest}`;
