import { and, desc, eq, gt, ne } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { session } from "../../db/schema.ts";
import { NotFound } from "../errors.ts";
import { describeUserAgent } from "./user-agent.ts";

export interface SessionSummary {
  id: string;
  device: string;
  ipAddress: string | null;
  createdAt: string;
  lastSeenAt: string;
  current: boolean;
}

/** The user's unexpired sessions, the current one first, then by last activity. */
export async function listSessions(db: Db, userId: string, currentSessionId?: string): Promise<SessionSummary[]> {
  const rows = await db
    .select()
    .from(session)
    .where(and(eq(session.userId, userId), gt(session.expiresAt, new Date())))
    .orderBy(desc(session.createdAt));
  return rows
    .map((r) => ({
      id: r.id,
      device: describeUserAgent(r.userAgent),
      ipAddress: r.ipAddress,
      createdAt: r.createdAt.toISOString(),
      lastSeenAt: (r.lastSeenAt ?? r.updatedAt).toISOString(),
      current: r.id === currentSessionId,
    }))
    .sort((a, b) => Number(b.current) - Number(a.current) || b.lastSeenAt.localeCompare(a.lastSeenAt));
}

/** Deletes one of the user's sessions; that browser is signed out on its next request. */
export async function revokeSession(db: Db, userId: string, sessionId: string): Promise<void> {
  const deleted = await db
    .delete(session)
    .where(and(eq(session.id, sessionId), eq(session.userId, userId)))
    .returning({ id: session.id });
  if (deleted.length === 0) throw new NotFound("No such session");
}

/** Deletes every session of the user except `keepSessionId` (all of them when it is undefined). */
export async function revokeOtherSessions(db: Db, userId: string, keepSessionId?: string): Promise<number> {
  const where = keepSessionId ? and(eq(session.userId, userId), ne(session.id, keepSessionId)) : eq(session.userId, userId);
  const deleted = await db.delete(session).where(where).returning({ id: session.id });
  return deleted.length;
}
