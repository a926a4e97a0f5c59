import { and, desc, eq, lt, type SQL } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { adminAudit } from "../../db/schema.ts";
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
  return rows.map((r) => ({
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
