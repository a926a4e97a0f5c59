import { desc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { account, teamAuditEvent, user } from "../../db/schema.ts";

export type AuditAction =
  | "team.created"
  | "team.renamed"
  | "invitation.created"
  | "invitation.revoked"
  | "invitation.accepted"
  | "member.removed"
  | "member.left"
  | "member.role_changed"
  | "team.ownership_transferred"
  | "role.created"
  | "role.updated"
  | "role.deleted"
  | "purchase.started"
  | "purchase.completed"
  | "purchase.refunded"
  | "agent.deleted"
  | "tool_floor.changed"
  | "mcp_allowlist.changed"
  | "mcp_connector.added"
  | "mcp_connector.removed";

export async function recordAudit(
  db: Db,
  accountId: string,
  actorUserId: string | null,
  action: AuditAction,
  detail: Record<string, unknown>,
): Promise<void> {
  await db.insert(teamAuditEvent).values({ id: crypto.randomUUID(), accountId, actorUserId, action, detailJson: JSON.stringify(detail) });
}

/** Records the event when the account is a team (personal accounts have no audit log). */
export async function recordIfTeam(
  db: Db,
  accountId: string,
  actorUserId: string | null,
  action: AuditAction,
  detail: Record<string, unknown>,
): Promise<void> {
  const row = await db.select({ kind: account.kind }).from(account).where(eq(account.id, accountId)).get();
  if (row?.kind === "team") await recordAudit(db, accountId, actorUserId, action, detail);
}

export interface AuditEntry {
  id: string;
  action: string;
  actor: { id: string; name: string; email: string } | null;
  detail: Record<string, unknown>;
  createdAt: string;
}

/** A team's audit log, newest first. */
export async function listAudit(db: Db, accountId: string, limit = 200): Promise<AuditEntry[]> {
  const rows = await db
    .select({ event: teamAuditEvent, actorName: user.name, actorEmail: user.email })
    .from(teamAuditEvent)
    .leftJoin(user, eq(user.id, teamAuditEvent.actorUserId))
    .where(eq(teamAuditEvent.accountId, accountId))
    .orderBy(desc(teamAuditEvent.createdAt))
    .limit(limit);
  return rows.map(({ event, actorName, actorEmail }) => ({
    id: event.id,
    action: event.action,
    actor: event.actorUserId && actorEmail ? { id: event.actorUserId, name: actorName ?? "", email: actorEmail } : null,
    detail: JSON.parse(event.detailJson) as Record<string, unknown>,
    createdAt: event.createdAt.toISOString(),
  }));
}
