import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account, accountMember, teamInvitation, teamRole } from "../../db/schema.ts";
import { Conflict, Invalid } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { permissionsFor } from "./membership.ts";
import { SLUG } from "./slug.ts";
import type { Permission } from "./permissions.ts";

export { SLUG } from "./slug.ts";

export interface TeamSummary {
  id: string;
  name: string;
  slug: string;
  role: string;
  permissions: Permission[];
  createdAt: string;
}

/** Creates a team (a billing account of kind "team") with the caller as its owner, in one atomic batch. */
export async function createTeam(db: Db, ownerUserId: string, input: { name: string; slug: string }): Promise<TeamSummary> {
  if (!SLUG.test(input.slug)) throw new Invalid("slug: lowercase letters, digits and dashes, 1 to 40 characters");
  const taken = await db.select({ id: account.id }).from(account).where(eq(account.slug, input.slug)).get();
  if (taken) throw new Conflict("That slug is taken: choose another");
  const id = crypto.randomUUID();
  try {
    await db.batch([
      db.insert(account).values({ id, kind: "team", name: input.name, slug: input.slug }),
      db.insert(accountMember).values({ accountId: id, userId: ownerUserId, role: "owner" }),
    ]);
  } catch (error) {
    if (String(error).includes("UNIQUE")) throw new Conflict("That slug is taken: choose another");
    throw error;
  }
  await recordAudit(db, id, ownerUserId, "team.created", { name: input.name, slug: input.slug });
  return (await teamOf(db, id, ownerUserId))!;
}

async function teamOf(db: Db, accountId: string, userId: string): Promise<TeamSummary | undefined> {
  const row = await db
    .select({ id: account.id, name: account.name, slug: account.slug, role: accountMember.role, createdAt: account.createdAt })
    .from(accountMember)
    .innerJoin(account, eq(account.id, accountMember.accountId))
    .where(and(eq(accountMember.accountId, accountId), eq(accountMember.userId, userId), eq(account.kind, "team")))
    .get();
  if (!row) return undefined;
  return summary(db, row);
}

async function summary(
  db: Db,
  row: { id: string; name: string; slug: string | null; role: string; createdAt: Date },
): Promise<TeamSummary> {
  const permissions = await permissionsFor(db, { accountId: row.id, kind: "team", role: row.role });
  return { id: row.id, name: row.name, slug: row.slug ?? "", role: row.role, permissions, createdAt: row.createdAt.toISOString() };
}

/** The teams a user belongs to, with their role and permissions in each. */
export async function listTeams(db: Db, userId: string): Promise<TeamSummary[]> {
  const rows = await db
    .select({ id: account.id, name: account.name, slug: account.slug, role: accountMember.role, createdAt: account.createdAt })
    .from(accountMember)
    .innerJoin(account, eq(account.id, accountMember.accountId))
    .where(and(eq(accountMember.userId, userId), eq(account.kind, "team")))
    .orderBy(asc(account.name));
  return Promise.all(rows.map((row) => summary(db, row)));
}

export async function getTeam(db: Db, accountId: string, userId: string): Promise<TeamSummary> {
  return (await teamOf(db, accountId, userId))!;
}

export async function renameTeam(db: Db, accountId: string, actorUserId: string, name: string): Promise<void> {
  await db
    .update(account)
    .set({ name })
    .where(and(eq(account.id, accountId), eq(account.kind, "team")));
  await recordAudit(db, accountId, actorUserId, "team.renamed", { name });
}

/** Refuses to delete a team unless `confirm` repeats its slug. */
export async function assertTeamDeletable(db: Db, accountId: string, confirm: string): Promise<void> {
  const team = await db.select({ slug: account.slug }).from(account).where(eq(account.id, accountId)).get();
  if (!team || confirm !== team.slug) throw new Invalid("confirm: type the team's slug to delete it");
}

/**
 * Ends a team whose agents are gone (src/operations/agent-deletion.ts): every membership, invitation and custom role.
 * The account row stays, nameless and without a slug, so the ledger rows that point at it remain.
 */
export async function endTeam(db: Db, accountId: string): Promise<void> {
  await db.batch([
    db.delete(accountMember).where(eq(accountMember.accountId, accountId)),
    db.delete(teamInvitation).where(eq(teamInvitation.accountId, accountId)),
    db.delete(teamRole).where(eq(teamRole.accountId, accountId)),
    db.update(account).set({ name: "Deleted team", slug: null, deletedAt: new Date() }).where(eq(account.id, accountId)),
  ]);
}
