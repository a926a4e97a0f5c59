import { and, eq, gt, isNull } from "drizzle-orm";
import { getDb } from "../../db/client.ts";
import { account, oauthAccessToken, oauthConsent, oauthRefreshToken, user } from "../../db/schema.ts";
import { OAUTH_TOKEN_PREFIX, oauthTokenHash } from "./oauth-server.ts";
import { isBanned, type SessionUser } from "./session.ts";

export function looksLikeOAuthToken(token: string): boolean {
  return token.startsWith(OAUTH_TOKEN_PREFIX) && token.length > OAUTH_TOKEN_PREFIX.length;
}

/** The resources a token was issued for, as the OAuth plugin stored them (a JSON list), or none. */
function resourcesOf(stored: string | null): string[] {
  if (!stored) return [];
  try {
    const parsed: unknown = JSON.parse(stored);
    return Array.isArray(parsed) ? parsed.filter((r): r is string => typeof r === "string") : [];
  } catch {
    return [];
  }
}

/**
 * The user an OAuth access token acts for, or null for an unknown, expired or revoked token, a banned user, or a
 * token that was not issued for `resource` (a token is only good where it was meant to be used, RFC 8707).
 */
export async function userForOAuthToken(
  d1: D1Database,
  token: string,
  resource: string,
): Promise<{ tokenId: string; user: SessionUser; personalAccountId: string | null } | null> {
  if (!looksLikeOAuthToken(token)) return null;
  const [row] = await getDb(d1)
    .select({
      tokenId: oauthAccessToken.id,
      resources: oauthAccessToken.resources,
      user: {
        id: user.id,
        email: user.email,
        name: user.name,
        image: user.image,
        role: user.role,
        emailVerified: user.emailVerified,
        banned: user.banned,
        banExpires: user.banExpires,
      },
      personalAccountId: account.id,
    })
    .from(oauthAccessToken)
    .innerJoin(user, eq(user.id, oauthAccessToken.userId))
    .leftJoin(account, eq(account.personalUserId, user.id))
    .where(
      and(
        eq(oauthAccessToken.token, await oauthTokenHash(token.slice(OAUTH_TOKEN_PREFIX.length))),
        gt(oauthAccessToken.expiresAt, new Date()),
        isNull(oauthAccessToken.revoked),
      ),
    )
    .limit(1);
  if (!row || isBanned(row.user) || !resourcesOf(row.resources).includes(resource)) return null;
  const { banned: _banned, banExpires: _expires, ...sessionUser } = row.user;
  return { tokenId: row.tokenId, user: sessionUser, personalAccountId: row.personalAccountId };
}

/** Whether the OAuth access token with this id still stands (not expired or revoked, its user not banned). */
export async function oauthTokenOwner(d1: D1Database, tokenId: string) {
  const [row] = await getDb(d1)
    .select({ id: user.id, name: user.name, banned: user.banned, banExpires: user.banExpires })
    .from(oauthAccessToken)
    .innerJoin(user, eq(user.id, oauthAccessToken.userId))
    .where(and(eq(oauthAccessToken.id, tokenId), gt(oauthAccessToken.expiresAt, new Date()), isNull(oauthAccessToken.revoked)))
    .limit(1);
  return row ?? null;
}

/**
 * Revokes every OAuth grant of a user: access and refresh tokens stop at once and remembered consents go, so each
 * MCP client must ask the user again. After a password reset: whoever reset it may not be the one who allowed them.
 */
export async function revokeAllOAuthGrants(d1: D1Database, userId: string): Promise<number> {
  const db = getDb(d1);
  const now = new Date();
  const [access] = await db.batch([
    db
      .update(oauthAccessToken)
      .set({ revoked: now })
      .where(and(eq(oauthAccessToken.userId, userId), isNull(oauthAccessToken.revoked)))
      .returning({ id: oauthAccessToken.id }),
    db
      .update(oauthRefreshToken)
      .set({ revoked: now })
      .where(and(eq(oauthRefreshToken.userId, userId), isNull(oauthRefreshToken.revoked))),
    db.delete(oauthConsent).where(eq(oauthConsent.userId, userId)),
  ]);
  return access.length;
}
