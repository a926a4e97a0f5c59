import type { UIMessage } from "ai";
import { and, desc, eq, isNull } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { threadShare } from "../../db/schema.ts";
import { randomId } from "../agents/ids.ts";
import { Invalid, NotFound } from "../errors.ts";

/** The share link's token: 32 random lowercase letters and digits (about 165 bits). */
export const SHARE_TOKEN = /^[a-z0-9]{32}$/;
/** A snapshot is one D1 row: far below D1's row limit, and refused clearly when a thread is larger. */
export const MAX_SNAPSHOT_BYTES = 900_000;

/** A share as its owners see it (never the snapshot itself). */
export interface ShareInfo {
  id: string;
  token: string;
  threadId: string;
  title: string;
  messageCount: number;
  createdAt: string;
  revokedAt: string | null;
}

/** What the public page shows: the snapshot, and nothing about the agent or its workspace. */
export interface SharedThread {
  title: string;
  sharedAt: string;
  messages: UIMessage[];
}

type ShareRow = typeof threadShare.$inferSelect;

const infoOf = (row: ShareRow): ShareInfo => ({
  id: row.id,
  token: row.token,
  threadId: row.threadId,
  title: row.title,
  messageCount: row.messageCount,
  createdAt: row.createdAt.toISOString(),
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

/** Stores a snapshot of the messages (already redacted by the caller) behind a new random token. */
export async function createShare(
  db: Db,
  input: { agentId: string; threadId: string; accountId: string; userId: string; title: string; messages: UIMessage[] },
  now: Date,
): Promise<ShareInfo> {
  if (input.messages.length === 0) throw new Invalid("This thread has no messages to share yet");
  const snapshot = JSON.stringify(input.messages);
  if (new TextEncoder().encode(snapshot).length > MAX_SNAPSHOT_BYTES) {
    throw new Invalid("This thread is too long to share as a link; export it instead");
  }
  const row: ShareRow = {
    id: crypto.randomUUID(),
    token: randomId(32),
    agentId: input.agentId,
    threadId: input.threadId,
    accountId: input.accountId,
    createdByUserId: input.userId,
    title: input.title,
    snapshot,
    messageCount: input.messages.length,
    createdAt: now,
    revokedAt: null,
  };
  await db.insert(threadShare).values(row);
  return infoOf(row);
}

/** The shares of one thread, newest first, revoked ones included (they say when). */
export async function listShares(db: Db, agentId: string, threadId: string): Promise<ShareInfo[]> {
  const rows = await db
    .select()
    .from(threadShare)
    .where(and(eq(threadShare.agentId, agentId), eq(threadShare.threadId, threadId)))
    .orderBy(desc(threadShare.createdAt))
    .all();
  return rows.map(infoOf);
}

/** Ends a share link at once; a share of another thread is not found (and stays as it was). */
export async function revokeShare(db: Db, where: { agentId: string; threadId: string; shareId: string }, now: Date): Promise<ShareInfo> {
  const [row] = await db
    .update(threadShare)
    .set({ revokedAt: now })
    .where(
      and(
        eq(threadShare.id, where.shareId),
        eq(threadShare.agentId, where.agentId),
        eq(threadShare.threadId, where.threadId),
        isNull(threadShare.revokedAt),
      ),
    )
    .returning();
  if (row) return infoOf(row);
  const existing = await db
    .select()
    .from(threadShare)
    .where(and(eq(threadShare.id, where.shareId), eq(threadShare.agentId, where.agentId), eq(threadShare.threadId, where.threadId)))
    .get();
  if (!existing) throw new NotFound("No such share");
  return infoOf(existing);
}

/** Removes every share of a thread (the thread was deleted). */
export async function deleteThreadShares(db: Db, agentId: string, threadId: string): Promise<void> {
  await db.delete(threadShare).where(and(eq(threadShare.agentId, agentId), eq(threadShare.threadId, threadId)));
}

/** The snapshot behind a live share token; null for an unknown, malformed or revoked one (all look the same). */
export async function openShare(db: Db, token: string): Promise<SharedThread | null> {
  if (!SHARE_TOKEN.test(token)) return null;
  const row = await db
    .select()
    .from(threadShare)
    .where(and(eq(threadShare.token, token), isNull(threadShare.revokedAt)))
    .get();
  if (!row) return null;
  return { title: row.title, sharedAt: row.createdAt.toISOString(), messages: JSON.parse(row.snapshot) as UIMessage[] };
}
