import { and, asc, eq, exists, ne, notExists } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client.ts";
import { account, accountMember, user } from "../../db/schema.ts";
import type { ActingAccount } from "../auth/caller.ts";
import { Conflict, Forbidden, NotFound } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { assertRoleExists, assertRoleWithinOwn } from "./roles.ts";

export interface MemberView {
  userId: string;
  name: string;
  email: string;
  role: string;
  joinedAt: string;
}

export async function listMembers(db: Db, accountId: string): Promise<MemberView[]> {
  const rows = await db
    .select({
      userId: accountMember.userId,
      name: user.name,
      email: user.email,
      role: accountMember.role,
      joinedAt: accountMember.createdAt,
    })
    .from(accountMember)
    .innerJoin(user, eq(user.id, accountMember.userId))
    .where(eq(accountMember.accountId, accountId))
    .orderBy(asc(accountMember.createdAt));
  return rows.map((row) => ({ ...row, joinedAt: row.joinedAt.toISOString() }));
}

async function memberRole(db: Db, accountId: string, userId: string): Promise<string> {
  const row = await db
    .select({ role: accountMember.role })
    .from(accountMember)
    .where(and(eq(accountMember.accountId, accountId), eq(accountMember.userId, userId)))
    .get();
  if (!row) throw new NotFound("No such member");
  return row.role;
}

async function assertAnotherOwner(db: Db, accountId: string, userId: string, message: string): Promise<void> {
  const other = await db
    .select({ userId: accountMember.userId })
    .from(accountMember)
    .where(and(eq(accountMember.accountId, accountId), eq(accountMember.role, "owner"), ne(accountMember.userId, userId)))
    .get();
  if (!other) throw new Conflict(message);
}

/** Only an owner may hand out the owner role or change or remove an owner. */
function assertOwnerForOwners(acting: ActingAccount, roles: string[]): void {
  if (roles.includes("owner") && acting.role !== "owner") throw new Forbidden("Only an owner can grant, change or remove the owner role");
}

export async function changeMemberRole(db: Db, acting: ActingAccount, actorUserId: string, userId: string, role: string): Promise<void> {
  const current = await memberRole(db, acting.id, userId);
  await assertRoleExists(db, acting.id, role);
  assertOwnerForOwners(acting, [current, role]);
  await assertRoleWithinOwn(db, acting, current);
  await assertRoleWithinOwn(db, acting, role);
  if (current === role) return;
  if (current === "owner")
    await assertAnotherOwner(db, acting.id, userId, "The last owner keeps the owner role: make someone else owner first");
  await db
    .update(accountMember)
    .set({ role })
    .where(and(eq(accountMember.accountId, acting.id), eq(accountMember.userId, userId)));
  await recordAudit(db, acting.id, actorUserId, "member.role_changed", { userId, from: current, to: role });
}

export async function removeMember(db: Db, acting: ActingAccount, actorUserId: string, userId: string): Promise<void> {
  const current = await memberRole(db, acting.id, userId);
  assertOwnerForOwners(acting, [current]);
  await assertRoleWithinOwn(db, acting, current);
  if (current === "owner") await assertAnotherOwner(db, acting.id, userId, "The last owner cannot be removed");
  await db.delete(accountMember).where(and(eq(accountMember.accountId, acting.id), eq(accountMember.userId, userId)));
  await recordAudit(db, acting.id, actorUserId, "member.removed", { userId });
}

export async function leaveTeam(db: Db, acting: ActingAccount, userId: string): Promise<void> {
  if (acting.role === "owner")
    await assertAnotherOwner(db, acting.id, userId, "The last owner cannot leave: make someone else owner or delete the team");
  await db.delete(accountMember).where(and(eq(accountMember.accountId, acting.id), eq(accountMember.userId, userId)));
  await recordAudit(db, acting.id, userId, "member.left", { userId });
}

/**
 * Hands the team to another member: they become an owner and the caller, an owner, becomes an admin, in one batch.
 * The caller is demoted only if the target did become owner (they may have left meanwhile), so the team always
 * keeps an owner.
 */
export async function transferOwnership(db: Db, acting: ActingAccount, actorUserId: string, toUserId: string): Promise<void> {
  if (acting.role !== "owner") throw new Forbidden("Only an owner can transfer ownership");
  if (toUserId === actorUserId) throw new Conflict("You already own this team: choose another member");
  const current = await memberRole(db, acting.id, toUserId);
  if (current === "owner") throw new Conflict("That member is already an owner");
  const target = alias(accountMember, "target");
  await db.batch([
    db
      .update(accountMember)
      .set({ role: "owner" })
      .where(and(eq(accountMember.accountId, acting.id), eq(accountMember.userId, toUserId))),
    db
      .update(accountMember)
      .set({ role: "admin" })
      .where(
        and(
          eq(accountMember.accountId, acting.id),
          eq(accountMember.userId, actorUserId),
          eq(accountMember.role, "owner"),
          exists(
            db
              .select({ one: target.userId })
              .from(target)
              .where(and(eq(target.accountId, acting.id), eq(target.userId, toUserId), eq(target.role, "owner"))),
          ),
        ),
      ),
  ]);
  await recordAudit(db, acting.id, actorUserId, "team.ownership_transferred", { from: actorUserId, to: toUserId, previousRole: current });
}

export interface OwnedTeam {
  id: string;
  name: string;
  slug: string;
}

/** The teams in which the user is the only owner: without them those teams would have nobody who can run them. */
export async function teamsOnlyOwnedBy(db: Db, userId: string): Promise<OwnedTeam[]> {
  const other = alias(accountMember, "other_owner");
  const rows = await db
    .select({ id: account.id, name: account.name, slug: account.slug })
    .from(accountMember)
    .innerJoin(account, eq(account.id, accountMember.accountId))
    .where(
      and(
        eq(accountMember.userId, userId),
        eq(accountMember.role, "owner"),
        eq(account.kind, "team"),
        notExists(
          db
            .select({ one: other.userId })
            .from(other)
            .where(and(eq(other.accountId, accountMember.accountId), eq(other.role, "owner"), ne(other.userId, userId))),
        ),
      ),
    )
    .orderBy(asc(account.name));
  return rows.map((row) => ({ ...row, slug: row.slug ?? "" }));
}

/**
 * Refuses (409) to delete a user who is the last owner of a team: they transfer ownership or delete the team first,
 * so no team is left that nobody can run or delete. The answer names the teams.
 */
export async function assertNoTeamLeftWithoutOwner(db: Db, userId: string): Promise<void> {
  const teams = await teamsOnlyOwnedBy(db, userId);
  if (teams.length === 0) return;
  const names = teams.map((t) => t.name).join(", ");
  throw new Conflict(
    `You are the last owner of ${teams.length === 1 ? "the team" : "the teams"} ${names}: transfer ownership or delete ${
      teams.length === 1 ? "it" : "them"
    } before deleting your account`,
    { teams },
  );
}
