import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { authAccount } from "../../db/schema.ts";

/** Whether the user can sign in with a password (Google-only and passkey-only users cannot). */
export async function hasPassword(db: Db, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: authAccount.id })
    .from(authAccount)
    .where(and(eq(authAccount.userId, userId), eq(authAccount.providerId, "credential")))
    .limit(1);
  return Boolean(row);
}
