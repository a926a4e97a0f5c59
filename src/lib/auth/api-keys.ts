import { and, desc, eq } from "drizzle-orm";
import { getDb, type Db } from "../../db/client.ts";
import { account, apiKey, user } from "../../db/schema.ts";
import { NotFound } from "../errors.ts";
import { isBanned, type SessionUser } from "./session.ts";

const KEY_PREFIX = "nm8_";
const SHOWN_PREFIX_LENGTH = KEY_PREFIX.length + 8;
const LAST_USED_RESOLUTION_MS = 60_000;

export interface ApiKeySummary {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** The hex SHA-256 of a secret: what is stored of API keys and OAuth tokens, never the secret itself. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return (
    KEY_PREFIX +
    btoa(String.fromCharCode(...bytes))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "")
  );
}

/** Creates a key; the secret is returned here once and only its SHA-256 is stored. */
export async function createApiKey(db: Db, userId: string, name: string): Promise<ApiKeySummary & { secret: string }> {
  const secret = newSecret();
  const row = {
    id: crypto.randomUUID(),
    userId,
    name,
    prefix: secret.slice(0, SHOWN_PREFIX_LENGTH),
    keyHash: await sha256Hex(secret),
    createdAt: new Date(),
  };
  await db.insert(apiKey).values(row);
  return { id: row.id, name, prefix: row.prefix, createdAt: row.createdAt.toISOString(), lastUsedAt: null, secret };
}

export async function listApiKeys(db: Db, userId: string): Promise<ApiKeySummary[]> {
  const rows = await db.select().from(apiKey).where(eq(apiKey.userId, userId)).orderBy(desc(apiKey.createdAt));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    prefix: r.prefix,
    createdAt: r.createdAt.toISOString(),
    lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
  }));
}

/** Deletes the key at once; another user's key id is NotFound, like a missing one. */
export async function revokeApiKey(db: Db, userId: string, id: string): Promise<void> {
  const deleted = await db
    .delete(apiKey)
    .where(and(eq(apiKey.id, id), eq(apiKey.userId, userId)))
    .returning({ id: apiKey.id });
  if (deleted.length === 0) throw new NotFound("No such API key");
}

/** Deletes every key of a user (after a password reset: whoever reset it may not be the one who made them). */
export async function revokeAllApiKeys(db: Db, userId: string): Promise<number> {
  const deleted = await db.delete(apiKey).where(eq(apiKey.userId, userId)).returning({ id: apiKey.id });
  return deleted.length;
}

export function looksLikeApiKey(token: string): boolean {
  return token.startsWith(KEY_PREFIX);
}

/** The user an API key belongs to, or null for an unknown or revoked key or a banned user. */
export async function userForApiKey(
  d1: D1Database,
  secret: string,
): Promise<{ apiKeyId: string; user: SessionUser; personalAccountId: string | null } | null> {
  const db = getDb(d1);
  const [row] = await db
    .select({
      apiKeyId: apiKey.id,
      lastUsedAt: apiKey.lastUsedAt,
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
    .from(apiKey)
    .innerJoin(user, eq(user.id, apiKey.userId))
    .leftJoin(account, eq(account.personalUserId, user.id))
    .where(eq(apiKey.keyHash, await sha256Hex(secret)))
    .limit(1);
  if (!row || isBanned(row.user)) return null;
  const now = new Date();
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.update(apiKey).set({ lastUsedAt: now }).where(eq(apiKey.id, row.apiKeyId));
  }
  const { banned: _b, banExpires: _e, ...sessionUser } = row.user;
  return { apiKeyId: row.apiKeyId, user: sessionUser, personalAccountId: row.personalAccountId };
}
