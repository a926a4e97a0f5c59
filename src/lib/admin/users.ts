import { and, asc, desc, eq, inArray, or, sql } from "drizzle-orm";
import { type AccountLimits, accountLimits } from "../agents/account-limits.ts";
import type { Db } from "../../db/client.ts";
import { account, accountMember, agent, apiKey, authAccount, passkey, session, user } from "../../db/schema.ts";
import type { Env } from "../../env.ts";
import type { Caller } from "../auth/caller.ts";
import { isBanned } from "../auth/session.ts";
import { getBalance, grant } from "../billing/ledger.ts";
import { fromCredits, toCredits } from "../billing/rules.ts";
import { Invalid, NotFound } from "../errors.ts";
import { type AdminLedgerRow, recentLedger } from "./accounts.ts";
import { auditStatement } from "./audit.ts";

export interface AdminUserSummary {
  id: string;
  email: string;
  name: string;
  role: string;
  emailVerified: boolean;
  banned: boolean;
  banReason: string | null;
  createdAt: string;
}

export interface UserPage {
  users: AdminUserSummary[];
  total: number;
  page: number;
  pageSize: number;
}

function summary(row: typeof user.$inferSelect): AdminUserSummary {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    emailVerified: row.emailVerified,
    banned: isBanned(row),
    banReason: row.banReason,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Users whose email or name contains `q` (case-insensitive), newest first, one page at a time. */
export async function searchUsers(db: Db, query: { q?: string; page: number; pageSize: number }): Promise<UserPage> {
  const q = query.q?.trim().toLowerCase();
  const pattern = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const where = pattern
    ? or(sql`lower(${user.email}) like ${pattern} escape '\\'`, sql`lower(${user.name}) like ${pattern} escape '\\'`)
    : undefined;
  const [rows, [count]] = await Promise.all([
    db
      .select()
      .from(user)
      .where(where)
      .orderBy(desc(user.createdAt), asc(user.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    db.select({ n: sql<number>`count(*)` }).from(user).where(where),
  ]);
  return { users: rows.map(summary), total: Number(count?.n ?? 0), page: query.page, pageSize: query.pageSize };
}

export interface AdminUserDetails {
  user: AdminUserSummary & { banExpires: string | null };
  personalAccountId: string | null;
  /** The personal account's caps (agents, live workspaces) and which an admin set. */
  limits: AccountLimits | null;
  signInMethods: { providerId: string; createdAt: string }[];
  memberships: { accountId: string; name: string; kind: string; role: string }[];
  agents: { id: string; name: string; accountId: string; modelId: string; lastActiveAt: string | null }[];
  sessions: {
    id: string;
    ipAddress: string | null;
    userAgent: string | null;
    impersonatedBy: string | null;
    createdAt: string;
    lastSeenAt: string | null;
    expiresAt: string;
  }[];
  passkeys: { id: string; name: string | null; deviceType: string; createdAt: string | null }[];
  apiKeys: { id: string; name: string; prefix: string; lastUsedAt: string | null }[];
  balance: { credits: number; freeCredits: number; purchasedCredits: number } | null;
  ledger: AdminLedgerRow[];
}

export async function getUserRow(db: Db, userId: string): Promise<typeof user.$inferSelect> {
  const row = await db.select().from(user).where(eq(user.id, userId)).get();
  if (!row) throw new NotFound("No such user");
  return row;
}

/** Everything an admin needs to see about one user: sign-in methods, accounts and teams, agents, sessions, credits. */
export async function userDetails(env: Env, db: Db, userId: string): Promise<AdminUserDetails> {
  const row = await getUserRow(db, userId);
  const now = new Date();
  const [methods, memberships, sessions, passkeys, keys] = await Promise.all([
    db.select().from(authAccount).where(eq(authAccount.userId, userId)),
    db
      .select({
        accountId: account.id,
        name: account.name,
        kind: account.kind,
        role: accountMember.role,
        personalUserId: account.personalUserId,
      })
      .from(accountMember)
      .innerJoin(account, eq(account.id, accountMember.accountId))
      .where(eq(accountMember.userId, userId)),
    db
      .select()
      .from(session)
      .where(and(eq(session.userId, userId), sql`${session.expiresAt} > ${now.getTime()}`))
      .orderBy(desc(session.createdAt)),
    db.select().from(passkey).where(eq(passkey.userId, userId)),
    db.select().from(apiKey).where(eq(apiKey.userId, userId)),
  ]);
  const personal = memberships.find((m) => m.kind === "personal" && m.personalUserId === userId) ?? null;
  const accountIds = memberships.map((m) => m.accountId);
  const [agents, ledger, balance, limits] = await Promise.all([
    accountIds.length
      ? db.select().from(agent).where(inArray(agent.accountId, accountIds)).orderBy(desc(agent.createdAt))
      : Promise.resolve([]),
    personal ? recentLedger(db, personal.accountId) : Promise.resolve([]),
    personal ? getBalance(env.DB, personal.accountId) : Promise.resolve(null),
    personal ? accountLimits(db, personal.accountId) : Promise.resolve(null),
  ]);
  return {
    user: { ...summary(row), banExpires: row.banExpires?.toISOString() ?? null },
    personalAccountId: personal?.accountId ?? null,
    limits,
    signInMethods: methods.map((m) => ({ providerId: m.providerId, createdAt: m.createdAt.toISOString() })),
    memberships: memberships.map(({ personalUserId: _p, ...m }) => m),
    agents: agents.map((a) => ({
      id: a.id,
      name: a.name,
      accountId: a.accountId,
      modelId: a.modelId,
      lastActiveAt: a.lastActiveAt?.toISOString() ?? null,
    })),
    sessions: sessions.map((s) => ({
      id: s.id,
      ipAddress: s.ipAddress,
      userAgent: s.userAgent,
      impersonatedBy: s.impersonatedBy,
      createdAt: s.createdAt.toISOString(),
      lastSeenAt: s.lastSeenAt?.toISOString() ?? null,
      expiresAt: s.expiresAt.toISOString(),
    })),
    passkeys: passkeys.map((p) => ({ id: p.id, name: p.name, deviceType: p.deviceType, createdAt: p.createdAt?.toISOString() ?? null })),
    apiKeys: keys.map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, lastUsedAt: k.lastUsedAt?.toISOString() ?? null })),
    balance: balance
      ? {
          credits: toCredits(balance.freeMillicredits + balance.purchasedMillicredits),
          freeCredits: toCredits(balance.freeMillicredits),
          purchasedCredits: toCredits(balance.purchasedMillicredits),
        }
      : null,
    ledger,
  };
}

function notSelf(admin: Caller, userId: string, what: string): void {
  if (admin.user.id === userId) throw new Invalid(`You cannot ${what} your own account`);
}

/**
 * Bans a user: in one batch the flag is set, every session is deleted and the action is audited. Session reading and
 * API key checks refuse banned users on their next request (src/operations/admin-agents.ts then stops their work).
 */
export async function banUserRow(db: Db, admin: Caller, userId: string, input: { reason: string; expiresAt?: Date }): Promise<void> {
  notSelf(admin, userId, "ban");
  await getUserRow(db, userId);
  await db.batch([
    db
      .update(user)
      .set({ banned: true, banReason: input.reason, banExpires: input.expiresAt ?? null, updatedAt: new Date() })
      .where(eq(user.id, userId)),
    db.delete(session).where(eq(session.userId, userId)),
    auditStatement(db, admin, {
      action: "user.ban",
      targetType: "user",
      targetId: userId,
      detail: { reason: input.reason, expiresAt: input.expiresAt?.toISOString() ?? null },
    }),
  ]);
}

export async function unbanUser(db: Db, admin: Caller, userId: string): Promise<void> {
  await getUserRow(db, userId);
  await db.batch([
    db.update(user).set({ banned: false, banReason: null, banExpires: null, updatedAt: new Date() }).where(eq(user.id, userId)),
    auditStatement(db, admin, { action: "user.unban", targetType: "user", targetId: userId }),
  ]);
}

/** Makes a user an admin or a plain user again; an admin cannot demote themselves (the platform keeps an admin). */
export async function setUserRole(db: Db, admin: Caller, userId: string, role: "admin" | "user"): Promise<void> {
  if (role !== "admin") notSelf(admin, userId, "revoke admin from");
  const before = await getUserRow(db, userId);
  await db.batch([
    db.update(user).set({ role, updatedAt: new Date() }).where(eq(user.id, userId)),
    auditStatement(db, admin, { action: "user.role", targetType: "user", targetId: userId, detail: { from: before.role, to: role } }),
  ]);
}

/** Signs out every session of a user at once, or only `sessionId`. */
export async function revokeUserSessions(db: Db, admin: Caller, userId: string, sessionId?: string): Promise<{ revoked: number }> {
  await getUserRow(db, userId);
  const where = sessionId ? and(eq(session.userId, userId), eq(session.id, sessionId)) : eq(session.userId, userId);
  const [deleted] = await db.batch([
    db.delete(session).where(where).returning({ id: session.id }),
    auditStatement(db, admin, {
      action: "user.sessions_revoked",
      targetType: "user",
      targetId: userId,
      detail: { sessionId: sessionId ?? "all" },
    }),
  ]);
  if (sessionId && deleted.length === 0) throw new NotFound("No such session");
  return { revoked: deleted.length };
}

/** Adds (or removes, with a negative amount) purchased credits on a user's personal account: a ledger adjustment naming the admin. */
export async function adjustUserCredits(
  env: Env,
  db: Db,
  admin: Caller,
  userId: string,
  input: { credits: number; reason: string },
): Promise<{ credits: number }> {
  await getUserRow(db, userId);
  const personal = await db.select({ id: account.id }).from(account).where(eq(account.personalUserId, userId)).get();
  if (!personal) throw new NotFound("This user has no personal account");
  const amountMillicredits = fromCredits(input.credits);
  const reason = input.reason.trim();
  await grant(env.DB, personal.id, { kind: "adjustment", amountMillicredits, reason, actorUserId: admin.user.id });
  await auditStatement(db, admin, {
    action: "user.credits_adjusted",
    targetType: "user",
    targetId: userId,
    detail: { accountId: personal.id, credits: input.credits, reason },
  });
  const balance = await getBalance(env.DB, personal.id);
  return { credits: toCredits(balance.freeMillicredits + balance.purchasedMillicredits) };
}
