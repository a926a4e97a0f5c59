import { and, eq, gt } from "drizzle-orm";
import { getDb } from "../../db/client.ts";
import { account, session, user } from "../../db/schema.ts";
import type { Env } from "../../env.ts";
import { authSecret, sessionCookieName } from "./config.ts";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  image: string | null;
  role: string;
  emailVerified: boolean;
}

export interface ActiveSession {
  sessionId: string;
  user: SessionUser;
  personalAccountId: string | null;
  /** The admin's user id while an admin is signed in as this user (impersonation); null otherwise. */
  impersonatedBy: string | null;
  expiresAt: Date;
}

const LAST_SEEN_RESOLUTION_MS = 60_000;

/**
 * The session token from the request's signed session cookie (or the cookie of that name), or null when absent or
 * tampered with.
 */
export async function sessionTokenFromCookie(request: Request, env: Env, cookieName = sessionCookieName(env)): Promise<string | null> {
  const raw = readCookie(request.headers.get("cookie"), cookieName);
  if (!raw) return null;
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return null;
  }
  // Better Auth signs the cookie as `<token>.<base64 HMAC-SHA256(token)>` with the auth secret.
  const dot = value.lastIndexOf(".");
  if (dot < 1) return null;
  const token = value.slice(0, dot);
  const signature = value.slice(dot + 1);
  const key = await crypto.subtle.importKey("raw", new TextEncoder().encode(authSecret(env)), { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
  let signatureBytes: Uint8Array<ArrayBuffer>;
  try {
    signatureBytes = Uint8Array.from(atob(signature), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
  const valid = await crypto.subtle.verify("HMAC", key, signatureBytes, new TextEncoder().encode(token));
  return valid ? token : null;
}

export function hasSessionCookie(request: Request, env: Env): boolean {
  return readCookie(request.headers.get("cookie"), sessionCookieName(env)) !== null;
}

/**
 * The signed-in session of a request, read from D1 on every call (no cookie or KV cache), so a revoked or expired
 * session or a banned user is refused on the very next request. Records when the session was last seen.
 */
export async function readSession(request: Request, env: Env, cookieName = sessionCookieName(env)): Promise<ActiveSession | null> {
  const token = await sessionTokenFromCookie(request, env, cookieName);
  if (!token) return null;
  const db = getDb(env.DB);
  const now = new Date();
  const [row] = await db
    .select({
      sessionId: session.id,
      expiresAt: session.expiresAt,
      lastSeenAt: session.lastSeenAt,
      impersonatedBy: session.impersonatedBy,
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
    .from(session)
    .innerJoin(user, eq(user.id, session.userId))
    .leftJoin(account, eq(account.personalUserId, user.id))
    .where(and(eq(session.token, token), gt(session.expiresAt, now)))
    .limit(1);
  if (!row) return null;
  if (isBanned(row.user, now)) return null;
  if (!row.lastSeenAt || now.getTime() - row.lastSeenAt.getTime() > LAST_SEEN_RESOLUTION_MS) {
    await db.update(session).set({ lastSeenAt: now }).where(eq(session.id, row.sessionId));
  }
  const { banned: _banned, banExpires: _banExpires, ...sessionUser } = row.user;
  return {
    sessionId: row.sessionId,
    user: sessionUser,
    personalAccountId: row.personalAccountId,
    impersonatedBy: row.impersonatedBy,
    expiresAt: row.expiresAt,
  };
}

export function isBanned(u: { banned: boolean; banExpires: Date | null }, now = new Date()): boolean {
  return u.banned && (!u.banExpires || u.banExpires.getTime() > now.getTime());
}

/** The first value of a cookie in a Cookie header, or null. */
export function readCookie(header: string | null, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim() || null;
  }
  return null;
}
