import { and, desc, eq, isNull, lt } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { agentTrigger, triggerDelivery } from "../../db/schema.ts";
import type { Env } from "../../env.ts";
import { randomId } from "../agents/ids.ts";
import { openSecret, sealSecret } from "../agents/secrets.ts";
import { NotFound } from "../errors.ts";
import { REPLAY_WINDOW_SECONDS } from "./signature.ts";

export type TriggerKind = "webhook" | "email";
export type TriggerRow = typeof agentTrigger.$inferSelect;

/** How a trigger is shown in the agent's settings: where to send to, never its secret. */
export interface TriggerView {
  id: string;
  kind: TriggerKind;
  name: string;
  /** The webhook's URL or the email address. */
  address: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** The id is the URL's and the address's only secret-free part: long enough that nobody guesses one. */
const newTriggerId = () => randomId(24);
const SECRET_NAME = "webhook-secret";

/** The domain agents receive email on: EMAIL_INBOUND_DOMAIN, else the app's own host. */
export function inboundEmailDomain(env: Pick<Env, "EMAIL_INBOUND_DOMAIN" | "APP_URL">): string {
  return env.EMAIL_INBOUND_DOMAIN || (env.APP_URL ? new URL(env.APP_URL).hostname : "localhost");
}

export function triggerAddress(env: Pick<Env, "EMAIL_INBOUND_DOMAIN" | "APP_URL">, origin: string, row: TriggerRow): string {
  return row.kind === "webhook" ? `${origin}/api/webhooks/${row.id}` : `${row.id}@${inboundEmailDomain(env)}`;
}

export function triggerView(env: Pick<Env, "EMAIL_INBOUND_DOMAIN" | "APP_URL">, origin: string, row: TriggerRow): TriggerView {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    address: triggerAddress(env, origin, row),
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  };
}

/** Creates a trigger; a webhook gets a fresh signing secret, returned here once and kept only sealed. */
export async function createTrigger(
  env: Env,
  db: Db,
  input: { agentId: string; kind: TriggerKind; name: string; createdByUserId: string },
): Promise<{ row: TriggerRow; secret?: string }> {
  const id = newTriggerId();
  const secret = input.kind === "webhook" ? `whsec_${randomId(40)}` : undefined;
  const secretSealed = secret ? await sealSecret(env, `trigger/${id}`, SECRET_NAME, secret) : null;
  const [row] = await db
    .insert(agentTrigger)
    .values({ id, agentId: input.agentId, kind: input.kind, name: input.name, secretSealed, createdByUserId: input.createdByUserId })
    .returning();
  return { row: row!, secret };
}

export async function listTriggers(db: Db, agentId: string): Promise<TriggerRow[]> {
  return db.select().from(agentTrigger).where(eq(agentTrigger.agentId, agentId)).orderBy(desc(agentTrigger.createdAt));
}

export async function findTrigger(db: Db, id: string, kind: TriggerKind): Promise<TriggerRow | undefined> {
  return db
    .select()
    .from(agentTrigger)
    .where(and(eq(agentTrigger.id, id), eq(agentTrigger.kind, kind)))
    .get();
}

/** Revokes a trigger of an agent at once; its deliveries go with it (foreign key). */
export async function deleteTrigger(db: Db, agentId: string, id: string): Promise<void> {
  const deleted = await db
    .delete(agentTrigger)
    .where(and(eq(agentTrigger.id, id), eq(agentTrigger.agentId, agentId)))
    .returning({ id: agentTrigger.id });
  if (deleted.length === 0) throw new NotFound("No such trigger");
}

export async function webhookSecret(env: Env, row: TriggerRow): Promise<string> {
  if (!row.secretSealed) throw new NotFound("No such webhook");
  return openSecret(env, `trigger/${row.id}`, SECRET_NAME, row.secretSealed);
}

/**
 * Claims a delivery once: true for the first claim of (trigger, key), false for every later one (a replay, a
 * redelivered email). One conditional insert, so two concurrent copies cannot both win.
 */
export async function claimDelivery(
  db: Db,
  delivery: { triggerId: string; deliveryKey: string; replyTo?: string; replySubject?: string; inReplyTo?: string | null },
  now: Date,
): Promise<boolean> {
  const inserted = await db
    .insert(triggerDelivery)
    .values({ ...delivery, createdAt: now })
    .onConflictDoNothing()
    .returning({ key: triggerDelivery.deliveryKey });
  return inserted.length === 1;
}

/** Records the task a claimed delivery started, and when the trigger was last used. */
export async function recordDeliveryTask(db: Db, triggerId: string, deliveryKey: string, taskId: string, now: Date): Promise<void> {
  await db.batch([
    db
      .update(triggerDelivery)
      .set({ taskId })
      .where(and(eq(triggerDelivery.triggerId, triggerId), eq(triggerDelivery.deliveryKey, deliveryKey))),
    db.update(agentTrigger).set({ lastUsedAt: now }).where(eq(agentTrigger.id, triggerId)),
  ]);
}

/** Gives a claim back when its task could not be started, so the sender's retry is not taken for a replay. */
export async function releaseDelivery(db: Db, triggerId: string, deliveryKey: string): Promise<void> {
  await db.delete(triggerDelivery).where(and(eq(triggerDelivery.triggerId, triggerId), eq(triggerDelivery.deliveryKey, deliveryKey)));
}

/** Forgets webhook signatures older than twice the replay window: their timestamps are refused anyway. */
export async function pruneWebhookDeliveries(db: Db, triggerId: string, now: Date): Promise<void> {
  const before = new Date(now.getTime() - 2 * REPLAY_WINDOW_SECONDS * 1000);
  await db
    .delete(triggerDelivery)
    .where(and(eq(triggerDelivery.triggerId, triggerId), isNull(triggerDelivery.replyTo), lt(triggerDelivery.createdAt, before)));
}

/**
 * Takes the email reply owed for a task, once: the delivery's reply address and subject, or null when the task did
 * not come by email or its reply was already taken (a second finish, a retry).
 */
export async function takeEmailReply(
  db: Db,
  taskId: string,
  now: Date,
): Promise<{ replyTo: string; replySubject: string; inReplyTo: string | null } | null> {
  const [row] = await db
    .update(triggerDelivery)
    .set({ repliedAt: now })
    .where(and(eq(triggerDelivery.taskId, taskId), isNull(triggerDelivery.repliedAt)))
    .returning({ replyTo: triggerDelivery.replyTo, replySubject: triggerDelivery.replySubject, inReplyTo: triggerDelivery.inReplyTo });
  if (!row?.replyTo) return null;
  return { replyTo: row.replyTo, replySubject: row.replySubject ?? "Your task", inReplyTo: row.inReplyTo };
}
