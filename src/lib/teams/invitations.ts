import { and, desc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account, accountMember, teamInvitation, user } from "../../db/schema.ts";
import type { Env } from "../../env.ts";
import type { ActingAccount, Caller } from "../auth/caller.ts";
import { escapeHtml } from "../email/message.ts";
import { sendEmail } from "../email/send.ts";
import { Conflict, Forbidden, NotFound } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { assertRoleExists, assertRoleWithinOwn } from "./roles.ts";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export type InvitationState = "pending" | "accepted" | "revoked" | "expired";

export interface InvitationView {
  id: string;
  email: string;
  role: string;
  state: InvitationState;
  expiresAt: string;
  createdAt: string;
}

type InvitationRow = typeof teamInvitation.$inferSelect;

function stateOf(row: InvitationRow, now: Date): InvitationState {
  if (row.acceptedAt) return "accepted";
  if (row.revokedAt) return "revoked";
  return row.expiresAt.getTime() <= now.getTime() ? "expired" : "pending";
}

function view(row: InvitationRow, now: Date): InvitationView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    state: stateOf(row, now),
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

export async function listInvitations(db: Db, accountId: string, now: Date): Promise<InvitationView[]> {
  const rows = await db
    .select()
    .from(teamInvitation)
    .where(eq(teamInvitation.accountId, accountId))
    .orderBy(desc(teamInvitation.createdAt));
  return rows.map((row) => view(row, now));
}

/**
 * Invites an email address to the team with a role and emails a single-use link valid for 7 days. Only an owner
 * may invite an owner; someone who is already a member cannot be invited again.
 */
export async function createInvitation(
  env: Env,
  db: Db,
  acting: ActingAccount,
  inviter: Caller,
  input: { email: string; role: string; origin: string; now: Date },
): Promise<InvitationView> {
  const email = input.email.trim().toLowerCase();
  await assertRoleExists(db, acting.id, input.role);
  if (input.role === "owner" && acting.role !== "owner") throw new Forbidden("Only an owner can invite an owner");
  await assertRoleWithinOwn(db, acting, input.role);
  const existing = await db
    .select({ userId: accountMember.userId })
    .from(accountMember)
    .innerJoin(user, eq(user.id, accountMember.userId))
    .where(and(eq(accountMember.accountId, acting.id), sql`lower(${user.email}) = ${email}`))
    .get();
  if (existing) throw new Conflict("That person is already a member of this team");
  const team = await db.select({ name: account.name }).from(account).where(eq(account.id, acting.id)).get();
  const token = newToken();
  const id = crypto.randomUUID();
  const [row] = await db
    .insert(teamInvitation)
    .values({
      id,
      accountId: acting.id,
      email,
      role: input.role,
      tokenHash: await sha256Hex(token),
      invitedByUserId: inviter.user.id,
      expiresAt: new Date(input.now.getTime() + INVITATION_TTL_MS),
      createdAt: input.now,
    })
    .returning();
  // Through sign-in: a signed-in invitee goes straight on to the invitation; anyone else signs in (or up) first.
  const url = `${input.origin}/sign-in?next=${encodeURIComponent(`/team/invite/${token}`)}`;
  const teamName = team?.name ?? "a team";
  const lines = [
    `${inviter.user.name} invited you to join the team "${teamName}" on netM8.`,
    "The link works once and is valid for 7 days. No netM8 account yet? Open the link and create one with this email address: the invitation waits for you.",
  ];
  await sendEmail(env, {
    to: email,
    subject: `Join ${teamName} on netM8`,
    text: ["Hi,", "", ...lines, "", `Accept the invitation: ${url}`, "", "— netM8"].join("\n"),
    html: [
      "<p>Hi,</p>",
      ...lines.map((line) => `<p>${escapeHtml(line)}</p>`),
      `<p><a href="${escapeHtml(url)}">Accept the invitation</a></p>`,
      "<p>— netM8</p>",
    ].join("\n"),
  });
  await recordAudit(db, acting.id, inviter.user.id, "invitation.created", { invitationId: id, email, role: input.role });
  return view(row!, input.now);
}

export async function revokeInvitation(db: Db, accountId: string, actorUserId: string, invitationId: string, now: Date): Promise<void> {
  const row = await db
    .select()
    .from(teamInvitation)
    .where(and(eq(teamInvitation.id, invitationId), eq(teamInvitation.accountId, accountId)))
    .get();
  if (!row) throw new NotFound("No such invitation");
  if (stateOf(row, now) !== "pending") throw new Conflict(`This invitation is already ${stateOf(row, now)}`);
  await db.update(teamInvitation).set({ revokedAt: now }).where(eq(teamInvitation.id, invitationId));
  await recordAudit(db, accountId, actorUserId, "invitation.revoked", { invitationId, email: row.email });
}

async function findByToken(db: Db, token: string) {
  const row = await db
    .select()
    .from(teamInvitation)
    .where(eq(teamInvitation.tokenHash, await sha256Hex(token)))
    .get();
  if (!row) throw new NotFound("No such invitation");
  const team = await db
    .select({ name: account.name, slug: account.slug, deletedAt: account.deletedAt })
    .from(account)
    .where(eq(account.id, row.accountId))
    .get();
  if (!team || team.deletedAt) throw new NotFound("No such invitation");
  return { row, team };
}

/** What an invitation link offers, for the page that accepts it. */
export async function previewInvitation(db: Db, token: string, now: Date) {
  const { row, team } = await findByToken(db, token);
  return {
    teamId: row.accountId,
    teamName: team.name,
    teamSlug: team.slug ?? "",
    email: row.email,
    role: row.role,
    state: stateOf(row, now),
  };
}

/**
 * Accepts an invitation for the signed-in user whose email it was sent to: once, before it expires, unless revoked.
 */
export async function acceptInvitation(db: Db, caller: Caller, token: string, now: Date): Promise<{ teamId: string }> {
  const { row } = await findByToken(db, token);
  return claim(db, caller, row, now);
}

/** A pending invitation addressed to the signed-in user, as the teams page lists it. */
export interface InvitationForMe {
  id: string;
  teamId: string;
  teamName: string;
  role: string;
  invitedBy: string | null;
  expiresAt: string;
}

/**
 * The pending invitations sent to the caller's address. Only for a verified address: before that, anyone could sign
 * up with someone else's address and read which teams invited it.
 */
export async function invitationsForCaller(db: Db, caller: Caller, now: Date): Promise<InvitationForMe[]> {
  if (!caller.user.emailVerified) return [];
  const rows = await db
    .select({ row: teamInvitation, teamName: account.name, invitedBy: user.name })
    .from(teamInvitation)
    .innerJoin(account, eq(account.id, teamInvitation.accountId))
    .leftJoin(user, eq(user.id, teamInvitation.invitedByUserId))
    .where(and(eq(teamInvitation.email, caller.user.email.toLowerCase()), isNull(account.deletedAt)))
    .orderBy(desc(teamInvitation.createdAt));
  return rows
    .filter(({ row }) => stateOf(row, now) === "pending")
    .map(({ row, teamName, invitedBy }) => ({
      id: row.id,
      teamId: row.accountId,
      teamName,
      role: row.role,
      invitedBy,
      expiresAt: row.expiresAt.toISOString(),
    }));
}

/** Accepts a pending invitation listed for the caller (by id instead of the emailed token; the same rules apply). */
export async function acceptInvitationById(db: Db, caller: Caller, invitationId: string, now: Date): Promise<{ teamId: string }> {
  const row = await db.select().from(teamInvitation).where(eq(teamInvitation.id, invitationId)).get();
  // Someone else's invitation answers as if it did not exist: ids must not reveal who was invited where.
  if (!row || row.email !== caller.user.email.toLowerCase()) throw new NotFound("No such invitation");
  const team = await db.select({ deletedAt: account.deletedAt }).from(account).where(eq(account.id, row.accountId)).get();
  if (!team || team.deletedAt) throw new NotFound("No such invitation");
  return claim(db, caller, row, now);
}

async function claim(db: Db, caller: Caller, row: InvitationRow, now: Date): Promise<{ teamId: string }> {
  const state = stateOf(row, now);
  if (state !== "pending") throw new Conflict(`This invitation is ${state}`);
  if (row.email !== caller.user.email.toLowerCase()) {
    throw new Forbidden(`This invitation was sent to another email address: sign in as ${row.email} to accept it`);
  }
  const member = await db
    .select({ role: accountMember.role })
    .from(accountMember)
    .where(and(eq(accountMember.accountId, row.accountId), eq(accountMember.userId, caller.user.id)))
    .get();
  if (member) throw new Conflict("You are already a member of this team");
  // One conditional statement claims the invitation, so two concurrent accepts cannot both use it.
  const used = await db
    .update(teamInvitation)
    .set({ acceptedAt: now, acceptedByUserId: caller.user.id })
    .where(and(eq(teamInvitation.id, row.id), isNull(teamInvitation.acceptedAt), isNull(teamInvitation.revokedAt)))
    .returning({ id: teamInvitation.id });
  if (used.length === 0) throw new Conflict("This invitation was used or revoked just now");
  await db.insert(accountMember).values({ accountId: row.accountId, userId: caller.user.id, role: row.role }).onConflictDoNothing();
  await recordAudit(db, row.accountId, caller.user.id, "invitation.accepted", { invitationId: row.id, email: row.email, role: row.role });
  return { teamId: row.accountId };
}
