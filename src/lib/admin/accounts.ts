import { and, asc, desc, eq, inArray, isNull, or, sql } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account, accountMember, ledgerEntry, user } from "../../db/schema.ts";
import type { Env } from "../../env.ts";
import type { Caller } from "../auth/caller.ts";
import { getBalance, grant } from "../billing/ledger.ts";
import { fromCredits, toCredits } from "../billing/rules.ts";
import { NotFound } from "../errors.ts";
import { auditStatement } from "./audit.ts";

export interface AdminAccountSummary {
  id: string;
  kind: "personal" | "team";
  name: string;
  slug: string | null;
  /** The owner's email for a personal account. */
  ownerEmail: string | null;
  createdAt: string;
}

export interface AdminLedgerRow {
  id: string;
  kind: string;
  bucket: string;
  credits: number;
  balanceAfterCredits: number;
  reason: string;
  actorUserId: string | null;
  actorEmail: string | null;
  createdAt: string;
}

export interface AdminAccountDetails {
  account: AdminAccountSummary;
  balance: { credits: number; freeCredits: number; purchasedCredits: number };
  members: { userId: string; name: string; email: string; role: string }[];
  ledger: AdminLedgerRow[];
}

const summaryColumns = {
  id: account.id,
  kind: account.kind,
  name: account.name,
  slug: account.slug,
  createdAt: account.createdAt,
  ownerEmail: user.email,
};

type SummaryRow = { [K in keyof typeof summaryColumns]: (typeof summaryColumns)[K]["_"]["data"] | null };

function summary(row: SummaryRow): AdminAccountSummary {
  return {
    id: row.id!,
    kind: row.kind!,
    name: row.name!,
    slug: row.slug,
    ownerEmail: row.ownerEmail,
    createdAt: row.createdAt!.toISOString(),
  };
}

/** Billing accounts (teams and personal) whose name, slug or owner's email contains `q`, teams first, newest first. */
export async function searchAccounts(
  db: Db,
  query: { q?: string; page: number; pageSize: number },
): Promise<{ accounts: AdminAccountSummary[]; total: number; page: number; pageSize: number }> {
  const q = query.q?.trim().toLowerCase();
  const pattern = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const matching = pattern
    ? or(
        sql`lower(${account.name}) like ${pattern} escape '\\'`,
        sql`lower(coalesce(${account.slug}, '')) like ${pattern} escape '\\'`,
        sql`lower(coalesce(${user.email}, '')) like ${pattern} escape '\\'`,
      )
    : undefined;
  const where = and(isNull(account.deletedAt), matching);
  const [rows, [count]] = await Promise.all([
    db
      .select(summaryColumns)
      .from(account)
      .leftJoin(user, eq(user.id, account.personalUserId))
      .where(where)
      .orderBy(desc(account.kind), desc(account.createdAt), asc(account.id))
      .limit(query.pageSize)
      .offset((query.page - 1) * query.pageSize),
    db.select({ n: sql<number>`count(*)` }).from(account).leftJoin(user, eq(user.id, account.personalUserId)).where(where),
  ]);
  return { accounts: rows.map(summary), total: Number(count?.n ?? 0), page: query.page, pageSize: query.pageSize };
}

async function findAccount(db: Db, accountId: string): Promise<AdminAccountSummary> {
  const row = await db
    .select(summaryColumns)
    .from(account)
    .leftJoin(user, eq(user.id, account.personalUserId))
    .where(and(eq(account.id, accountId), isNull(account.deletedAt)))
    .get();
  if (!row) throw new NotFound("No such account");
  return summary(row);
}

/** The newest 50 ledger rows of an account, with the email of the admin or member who caused each. */
export async function recentLedger(db: Db, accountId: string): Promise<AdminLedgerRow[]> {
  const ledger = await db
    .select()
    .from(ledgerEntry)
    .where(eq(ledgerEntry.accountId, accountId))
    .orderBy(desc(ledgerEntry.createdAt), desc(ledgerEntry.id))
    .limit(50);
  const actorIds = [...new Set(ledger.map((l) => l.actorUserId).filter((id): id is string => id !== null))];
  const actors = actorIds.length ? await db.select({ id: user.id, email: user.email }).from(user).where(inArray(user.id, actorIds)) : [];
  const actorEmail = new Map(actors.map((a) => [a.id, a.email]));
  return ledger.map((l) => ({
    id: l.id,
    kind: l.kind,
    bucket: l.bucket,
    credits: toCredits(l.amountMillicredits),
    balanceAfterCredits: toCredits(l.balanceAfterMillicredits),
    reason: l.reason,
    actorUserId: l.actorUserId,
    actorEmail: l.actorUserId ? (actorEmail.get(l.actorUserId) ?? null) : null,
    createdAt: l.createdAt.toISOString(),
  }));
}

async function balanceCredits(env: Env, accountId: string) {
  const balance = await getBalance(env.DB, accountId);
  return {
    credits: toCredits(balance.freeMillicredits + balance.purchasedMillicredits),
    freeCredits: toCredits(balance.freeMillicredits),
    purchasedCredits: toCredits(balance.purchasedMillicredits),
  };
}

/** One billing account for an admin: its balance, members and newest ledger rows. */
export async function accountDetails(env: Env, db: Db, accountId: string): Promise<AdminAccountDetails> {
  const found = await findAccount(db, accountId);
  const [balance, members, ledger] = await Promise.all([
    balanceCredits(env, accountId),
    db
      .select({ userId: user.id, name: user.name, email: user.email, role: accountMember.role })
      .from(accountMember)
      .innerJoin(user, eq(user.id, accountMember.userId))
      .where(eq(accountMember.accountId, accountId))
      .orderBy(asc(user.email)),
    recentLedger(db, accountId),
  ]);
  return { account: found, balance, members, ledger };
}

/**
 * Adds (or removes, with a negative amount) purchased credits on any billing account, a team's included: a ledger
 * adjustment naming the admin and the reason, and an admin audit entry.
 */
export async function adjustAccountCredits(
  env: Env,
  db: Db,
  admin: Caller,
  accountId: string,
  input: { credits: number; reason: string },
): Promise<{ credits: number }> {
  const found = await findAccount(db, accountId);
  const reason = input.reason.trim();
  await grant(env.DB, found.id, { kind: "adjustment", amountMillicredits: fromCredits(input.credits), reason, actorUserId: admin.user.id });
  await auditStatement(db, admin, {
    action: "account.credits_adjusted",
    targetType: "account",
    targetId: found.id,
    detail: { kind: found.kind, name: found.name, credits: input.credits, reason },
  });
  return { credits: (await balanceCredits(env, found.id)).credits };
}
