import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account, accountMember, user } from "../../db/schema.ts";
import { permissionsFor } from "../teams/membership.ts";

/**
 * Whether an email sender may start tasks of an agent of `accountId`: the From address must be a verified, unbanned
 * user who may use the account's agents (agents.use). Anyone else's mail starts nothing and costs nothing, so a
 * leaked agent address cannot spend the account's credits.
 */
export async function senderMayUseAgents(db: Db, accountId: string, from: string): Promise<boolean> {
  const [row] = await db
    .select({ accountId: account.id, kind: account.kind, role: accountMember.role })
    .from(user)
    .innerJoin(accountMember, eq(accountMember.userId, user.id))
    .innerJoin(account, eq(account.id, accountMember.accountId))
    .where(and(eq(user.email, from), eq(user.emailVerified, true), eq(user.banned, false), eq(accountMember.accountId, accountId)))
    .limit(1);
  if (!row) return false;
  return (await permissionsFor(db, row)).includes("agents.use");
}
