import { and, eq, gt } from "drizzle-orm";
import { getDb } from "../../db/client.ts";
import { apiKey, session, user } from "../../db/schema.ts";
import type { Caller } from "./caller.ts";
import { oauthTokenOwner } from "./oauth-tokens.ts";
import { isBanned } from "./session.ts";

/**
 * What authorized a long-lived connection: `session:<id>`, `api_key:<id>` or `oauth:<access token id>`, so it can be
 * checked again later.
 */
export function credentialOf(caller: Caller): string | null {
  if (caller.via === "session" && caller.sessionId) return `session:${caller.sessionId}`;
  if (caller.via === "api_key" && caller.apiKeyId) return `api_key:${caller.apiKeyId}`;
  if (caller.via === "oauth" && caller.oauthTokenId) return `oauth:${caller.oauthTokenId}`;
  return null;
}

/** Who holds a credential recorded by credentialOf: a user's id and name, shown as the author of what they send. */
export interface CredentialOwner {
  id: string;
  name: string;
}

/**
 * The owner of a credential recorded by credentialOf while it still stands (the session is not revoked or expired,
 * the API key is not deleted, the user is not banned), else null. Read from D1 each time, like every request's
 * session.
 */
export async function activeCredentialOwner(d1: D1Database, credential: string): Promise<CredentialOwner | null> {
  const colon = credential.indexOf(":");
  const kind = credential.slice(0, colon);
  const id = credential.slice(colon + 1);
  if (!id) return null;
  const db = getDb(d1);
  const now = new Date();
  const owner = { id: user.id, name: user.name, banned: user.banned, banExpires: user.banExpires };
  const [row] =
    kind === "session"
      ? await db
          .select(owner)
          .from(session)
          .innerJoin(user, eq(user.id, session.userId))
          .where(and(eq(session.id, id), gt(session.expiresAt, now)))
          .limit(1)
      : kind === "api_key"
        ? await db.select(owner).from(apiKey).innerJoin(user, eq(user.id, apiKey.userId)).where(eq(apiKey.id, id)).limit(1)
        : kind === "oauth"
          ? [await oauthTokenOwner(d1, id)].filter((found) => found !== null)
          : [];
  if (!row || isBanned(row, now)) return null;
  return { id: row.id, name: row.name };
}

/** Whether a credential recorded by credentialOf still stands (see activeCredentialOwner). */
export async function credentialIsActive(d1: D1Database, credential: string): Promise<boolean> {
  return (await activeCredentialOwner(d1, credential)) !== null;
}
