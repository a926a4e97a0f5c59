import { and, asc, eq, ne } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accountMember, user } from "../../db/schema.ts";
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
