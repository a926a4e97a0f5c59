import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account, accountMember, agent } from "../../db/schema.ts";

/**
 * The agents a ban stops: those of the user's personal account and of every team the user is the only owner of
 * (nobody else answers for those). Teams with another owner keep running; their owners decide.
 */
export async function agentsStoppedByBan(db: Db, userId: string): Promise<{ id: string; accountId: string }[]> {
  const owners = db
    .select({ accountId: accountMember.accountId, owners: sql<number>`count(*)`.as("owners") })
    .from(accountMember)
    .where(eq(accountMember.role, "owner"))
    .groupBy(accountMember.accountId)
    .as("owners");
  const soleTeams = await db
    .select({ id: account.id })
    .from(accountMember)
    .innerJoin(account, eq(account.id, accountMember.accountId))
    .innerJoin(owners, eq(owners.accountId, accountMember.accountId))
    .where(
      and(
        eq(accountMember.userId, userId),
        eq(accountMember.role, "owner"),
        eq(account.kind, "team"),
        isNull(account.deletedAt),
        eq(owners.owners, 1),
      ),
    );
  const personal = await db.select({ id: account.id }).from(account).where(eq(account.personalUserId, userId));
  const accountIds = [...personal, ...soleTeams].map((a) => a.id);
  if (accountIds.length === 0) return [];
  return db.select({ id: agent.id, accountId: agent.accountId }).from(agent).where(inArray(agent.accountId, accountIds));
}
