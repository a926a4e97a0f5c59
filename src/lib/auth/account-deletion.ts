import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account } from "../../db/schema.ts";

/** The personal billing account of a user, if any. */
export async function personalAccountOf(db: Db, userId: string): Promise<{ id: string } | undefined> {
  const [personal] = await db.select({ id: account.id }).from(account).where(eq(account.personalUserId, userId)).limit(1);
  return personal;
}

/**
 * What stays of a deleted user's personal account: the row, so ledger rows that point at it remain, without a name
 * or owner (`personal_user_id` becomes null when the user row goes).
 */
export async function anonymisePersonalAccount(db: Db, accountId: string): Promise<void> {
  await db.update(account).set({ name: "Deleted user", deletedAt: new Date() }).where(eq(account.id, accountId));
}
