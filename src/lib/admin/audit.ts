import { and, desc, eq, inArray, lt, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account, adminAudit, agent, user } from "../../db/schema.ts";
import type { Caller } from "../auth/caller.ts";

export type AdminAction =
  | "user.ban"
  | "user.unban"
  | "user.role"
  | "user.sessions_revoked"
  | "user.credits_adjusted"
  | "account.credits_adjusted"
  | "user.limits"
  | "user.impersonate"
  | "model.create"
  | "model.update"
  | "agent.task_stopped"
  | "agent.turn_stopped";

export interface AuditInput {
  action: AdminAction;
  targetType: "user" | "model" | "agent" | "account";
  targetId: string | null;
  detail?: Record<string, unknown>;
}

export interface AuditEntry {
  id: string;
  actorUserId: string | null;
  actorEmail: string;
  action: string;
  targetType: string;
  targetId: string | null;
  detail: Record<string, unknown>;
  /** The target as people know it (a user's name and email, an account's or agent's name), when it still exists. */
  targetLabel: string | null;
  createdAt: string;
}

/** The insert of one audit row, to run alone or inside the same D1 batch as the action it records. */
export function auditStatement(db: Db, actor: Pick<Caller, "user">, input: AuditInput) {
  return db.insert(adminAudit).values({
    id: crypto.randomUUID(),
    actorUserId: actor.user.id,
    actorEmail: actor.user.email,
    action: input.action,
    targetType: input.targetType,
    targetId: input.targetId,
    detailJson: JSON.stringify(input.detail ?? {}),
    createdAt: new Date(),
  });
}

export async function recordAdminAction(db: Db, actor: Pick<Caller, "user">, input: AuditInput): Promise<void> {
  await auditStatement(db, actor, input);
}

/** Audit entries newest first; `before` (an ISO time) pages back, `targetId` narrows to one user, model or agent. */
export async function listAudit(
  db: Db,
  query: { limit: number; before?: string; targetId?: string; action?: string },
): Promise<AuditEntry[]> {
  const where: SQL[] = [];
  if (query.before) where.push(lt(adminAudit.createdAt, new Date(query.before)));
  if (query.targetId) where.push(eq(adminAudit.targetId, query.targetId));
  if (query.action) where.push(eq(adminAudit.action, query.action));
  const rows = await db
    .select()
    .from(adminAudit)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(adminAudit.createdAt), desc(adminAudit.id))
    .limit(query.limit);
  const labels = await targetLabels(db, rows);
  return rows.map((r) => ({
    targetLabel: (r.targetId && labels.get(`${r.targetType}:${r.targetId}`)) || null,
    id: r.id,
    actorUserId: r.actorUserId,
    actorEmail: r.actorEmail,
    action: r.action,
    targetType: r.targetType,
    targetId: r.targetId,
    detail: JSON.parse(r.detailJson) as Record<string, unknown>,
    createdAt: r.createdAt.toISOString(),
  }));
}

async function targetLabels(db: Db, rows: { targetType: string; targetId: string | null }[]): Promise<Map<string, string>> {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.targetType === type && r.targetId).map((r) => r.targetId!))];
  const [users, accounts, agents] = await Promise.all([
    ids("user").length
      ? db
          .select({ id: user.id, name: user.name, email: user.email })
          .from(user)
          .where(inArray(user.id, ids("user")))
      : [],
    ids("account").length
      ? db
          .select({ id: account.id, name: account.name })
          .from(account)
          .where(inArray(account.id, ids("account")))
      : [],
    ids("agent").length
      ? db
          .select({ id: agent.id, name: agent.name })
          .from(agent)
          .where(inArray(agent.id, ids("agent")))
      : [],
  ]);
  return new Map([
    ...users.map((u) => [`user:${u.id}`, u.name ? `${u.name} (${u.email})` : u.email] as const),
    ...accounts.map((a) => [`account:${a.id}`, a.name] as const),
    ...agents.map((a) => [`agent:${a.id}`, a.name] as const),
  ]);
}
