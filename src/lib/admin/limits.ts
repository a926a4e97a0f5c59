import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account } from "../../db/schema.ts";
import { type AccountLimits, accountLimits } from "../agents/account-limits.ts";
import type { Caller } from "../auth/caller.ts";
import { NotFound } from "../errors.ts";
import { auditStatement } from "./audit.ts";
import { getUserRow } from "./users.ts";

/**
 * Sets the caps of a user's personal account: a number raises (or lowers) one, null returns it to the default, a
 * field left out stays as it is. Audited in the same batch.
 */
export async function setUserLimits(
  db: Db,
  admin: Caller,
  userId: string,
  input: { maxAgents?: number | null; maxLiveWorkspaces?: number | null },
): Promise<AccountLimits> {
  await getUserRow(db, userId);
  const personal = await db.select({ id: account.id }).from(account).where(eq(account.personalUserId, userId)).get();
  if (!personal) throw new NotFound("This user has no personal account");
  const before = await accountLimits(db, personal.id);
  const changes = {
    ...(input.maxAgents !== undefined && { maxAgents: input.maxAgents }),
    ...(input.maxLiveWorkspaces !== undefined && { maxLiveWorkspaces: input.maxLiveWorkspaces }),
  };
  if (Object.keys(changes).length === 0) return before;
  await db.batch([
    db.update(account).set(changes).where(eq(account.id, personal.id)),
    auditStatement(db, admin, {
      action: "user.limits",
      targetType: "user",
      targetId: userId,
      detail: { accountId: personal.id, from: before.custom, to: { ...before.custom, ...changes } },
    }),
  ]);
  return accountLimits(db, personal.id);
}
