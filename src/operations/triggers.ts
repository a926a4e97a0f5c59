import { getDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { DEFAULT_TASK_CREDITS, DEFAULT_TASK_STEPS } from "../agent/tasks.ts";
import { findAgentById } from "../lib/agents/agents.ts";
import { taskCreditBudget } from "../lib/agents/credit-limits.ts";
import { getBalance, insufficientCredits } from "../lib/billing/ledger.ts";
import { Forbidden, NotFound, PayloadTooLarge } from "../lib/errors.ts";
import { enforceRateLimit } from "../lib/ratelimit/enforce.ts";
import { emailGoal, type InboundEmail, replySubject } from "../lib/triggers/inbound-email.ts";
import { senderMayUseAgents } from "../lib/triggers/senders.ts";
import { SIGNATURE_HEADER, verifyWebhookSignature } from "../lib/triggers/signature.ts";
import {
  claimDelivery,
  findTrigger,
  pruneWebhookDeliveries,
  recordDeliveryTask,
  releaseDelivery,
  type TriggerRow,
  webhookSecret,
} from "../lib/triggers/triggers.ts";
import { Conflict } from "../lib/errors.ts";
import { agentHub } from "./agent-access.ts";

/** The largest webhook body accepted; larger ones are refused before they are read. */
export const MAX_WEBHOOK_BYTES = 16 * 1024;

/** Reads at most `limit` bytes of a body, refusing (413) one that is longer whatever its Content-Length said. */
async function readLimited(request: Request, limit: number): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  const tooLarge = () => new PayloadTooLarge(`The body is larger than ${limit / 1024} KiB`);
  if (declared > limit) throw tooLarge();
  const reader = request.body?.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { value, done } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge();
    }
    parts.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

/** Refuses (402) a delivery for an account without credits: it starts nothing rather than a task that stops at once. */
async function assertAccountCanPay(env: Env, accountId: string, now: Date): Promise<void> {
  const balance = await getBalance(env.DB, accountId, now);
  if (balance.availableMillicredits <= 0) throw insufficientCredits(balance, 1);
}

/** Starts the task of a claimed delivery; gives the claim back if the task could not start, so a retry can. */
async function startDeliveryTask(env: Env, trigger: TriggerRow, deliveryKey: string, goal: string, now: Date): Promise<string> {
  const db = getDb(env.DB);
  try {
    const hub = await agentHub(env, trigger.agentId);
    const agent = await findAgentById(db, trigger.agentId);
    const creditBudget = agent ? taskCreditBudget(agent, undefined) : DEFAULT_TASK_CREDITS;
    const task = await hub.startTask({ goal, stepBudget: DEFAULT_TASK_STEPS, creditBudget, notify: false });
    await recordDeliveryTask(db, trigger.id, deliveryKey, task.id, now);
    return task.id;
  } catch (error) {
    await releaseDelivery(db, trigger.id, deliveryKey);
    throw error;
  }
}

/**
 * A webhook delivery (`POST /api/webhooks/<id>`): refused before anything starts when it is too large (413), for an
 * unknown or revoked webhook (404), unsigned, wrongly signed or outside the replay window (401), a replay of an
 * accepted delivery (409), too frequent (429) or for an account without credits (402). Otherwise it starts exactly
 * one task of the agent with the payload, billed to the agent's account like any task.
 */
export async function deliverWebhook(request: Request, env: Env, triggerId: string, now: Date): Promise<{ taskId: string }> {
  const db = getDb(env.DB);
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_WEBHOOK_BYTES) throw new PayloadTooLarge(`The body is larger than ${MAX_WEBHOOK_BYTES / 1024} KiB`);
  const trigger = await findTrigger(db, triggerId, "webhook");
  if (!trigger) throw new NotFound("No such webhook: it may have been revoked");
  const body = await readLimited(request, MAX_WEBHOOK_BYTES);
  const signature = await verifyWebhookSignature(
    await webhookSecret(env, trigger),
    request.headers.get(SIGNATURE_HEADER),
    body,
    now.getTime(),
  );
  await enforceRateLimit(env, "webhookDeliveryByTrigger", trigger.id);
  const agent = await findAgentById(db, trigger.agentId);
  if (!agent) throw new NotFound("No such webhook: it may have been revoked");
  await assertAccountCanPay(env, agent.accountId, now);
  await pruneWebhookDeliveries(db, trigger.id, now);
  if (!(await claimDelivery(db, { triggerId: trigger.id, deliveryKey: signature }, now))) {
    throw new Conflict("This delivery was already accepted: a replayed request starts nothing");
  }
  const goal = `The webhook "${trigger.name}" received this payload:\n\n${body}`;
  return { taskId: await startDeliveryTask(env, trigger, signature, goal, now) };
}

/**
 * An email to an agent's address (`<trigger id>@<inbound domain>`), from Cloudflare Email Routing or the development
 * route: the sender must be allowed to use the agent (src/lib/triggers/senders.ts); the same Message-ID starts
 * nothing twice. Starts one task whose report is emailed back to the sender when it ends (src/agent/task-notify.ts).
 */
export async function receiveAgentEmail(env: Env, recipient: string, email: InboundEmail, now: Date): Promise<{ taskId: string }> {
  const db = getDb(env.DB);
  const localPart = recipient.trim().toLowerCase().split("@")[0] ?? "";
  const trigger = await findTrigger(db, localPart, "email");
  if (!trigger) throw new NotFound("No agent receives email at this address");
  const agent = await findAgentById(db, trigger.agentId);
  if (!agent) throw new NotFound("No agent receives email at this address");
  if (!(await senderMayUseAgents(db, agent.accountId, email.from))) {
    throw new Forbidden("The sender may not use this agent: mail from its account's members' verified addresses only");
  }
  await enforceRateLimit(env, "emailDeliveryByTrigger", trigger.id);
  await assertAccountCanPay(env, agent.accountId, now);
  const claimed = await claimDelivery(
    db,
    {
      triggerId: trigger.id,
      deliveryKey: email.messageId,
      replyTo: email.from,
      replySubject: replySubject(email.subject),
      inReplyTo: email.messageId,
    },
    now,
  );
  if (!claimed) throw new Conflict("This message was already received: a redelivery starts nothing");
  return { taskId: await startDeliveryTask(env, trigger, email.messageId, emailGoal(email), now) };
}
