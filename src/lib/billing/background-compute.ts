import { and, eq } from "drizzle-orm";
import type { Env } from "../../env.ts";
import { getDb } from "../../db/client.ts";
import { agent, sandboxMeter } from "../../db/schema.ts";
import { sandboxFor } from "../../sandbox/backend.ts";
import type { WorkspaceUsage } from "../../sandbox/types.ts";
import { getBalance, reserve, settle } from "./ledger.ts";
import { sandboxCost } from "./pricing.ts";

/** The last line a process stopped for lack of credits writes to its log. */
export const OUT_OF_CREDITS_REASON = "stopped: the account is out of credits. Files are kept; add credits and start the process again.";

/** KV key that marks a workspace stopped for lack of credits: its previews answer the out-of-credits page. */
export const outOfCreditsKey = (agentId: string) => `out-of-credits:${agentId}`;

export type BackgroundBill = { agentId: string; cpuMs: number; chargedMillicredits: number; stopped: boolean };

/**
 * Bills background processes' CPU time (the cron, every few minutes). sandboxd counts each workspace's up, and a
 * counter only grows, so each run bills the difference since the last one: first claimed in sandbox_meter by a
 * conditional update (two runs never bill the same milliseconds; a crash between the claim and the charge loses
 * that one difference, never charges it twice), then reserved and settled like any sandbox run. An account that
 * cannot pay it all pays what it has, its processes stop with a line in their logs, and its previews answer the
 * out-of-credits page until it has credits again. Files are kept.
 */
export async function billBackgroundCompute(env: Env, now: Date): Promise<BackgroundBill[]> {
  const sandbox = sandboxFor(env);
  const usage = await sandbox.usage();
  const bills: BackgroundBill[] = [];
  for (const workspace of usage) {
    if (workspace.backgroundCpuMs === 0 && workspace.runningProcesses === 0) continue;
    const bill = await billWorkspace(env, workspace, now);
    if (bill) bills.push(bill);
  }
  return bills;
}

async function billWorkspace(env: Env, usage: WorkspaceUsage, now: Date): Promise<BackgroundBill | null> {
  const db = getDb(env.DB);
  const owner = await db.select({ accountId: agent.accountId }).from(agent).where(eq(agent.id, usage.id)).get();
  if (!owner) return null;
  const meter = await db.select({ billed: sandboxMeter.billedCpuMs }).from(sandboxMeter).where(eq(sandboxMeter.agentId, usage.id)).get();
  const billed = meter?.billed ?? 0;
  const cpuMs = usage.backgroundCpuMs - billed;
  let charged = 0;
  let short = false;
  if (cpuMs > 0 && (await claim(env, usage.id, billed, usage.backgroundCpuMs, meter !== undefined, now))) {
    const cost = sandboxCost(cpuMs);
    const { availableMillicredits } = await getBalance(env.DB, owner.accountId, now);
    const payable = Math.min(cost, Math.max(0, availableMillicredits));
    short = payable < cost;
    if (payable > 0) {
      const ref = { agentId: usage.id };
      const held = await reserve(env.DB, owner.accountId, payable, ref, now);
      charged = (await settle(env.DB, held, payable, { ...ref, sandboxMs: cpuMs, reason: "Background process CPU time" }, now))
        .chargedMillicredits;
    }
  }
  const broke = short || (usage.runningProcesses > 0 && (await getBalance(env.DB, owner.accountId, now)).availableMillicredits <= 0);
  if (broke && usage.runningProcesses > 0) await stopForCredits(env, usage.id);
  return { agentId: usage.id, cpuMs: Math.max(0, cpuMs), chargedMillicredits: charged, stopped: broke && usage.runningProcesses > 0 };
}

/** Moves the billed counter from `from` to `to` if no other run did; whether this run may bill the difference. */
async function claim(env: Env, agentId: string, from: number, to: number, exists: boolean, now: Date): Promise<boolean> {
  const db = getDb(env.DB);
  if (!exists) {
    const inserted = await db.insert(sandboxMeter).values({ agentId, billedCpuMs: to, updatedAt: now }).onConflictDoNothing().run();
    return inserted.meta.changes === 1;
  }
  const updated = await db
    .update(sandboxMeter)
    .set({ billedCpuMs: to, updatedAt: now })
    .where(and(eq(sandboxMeter.agentId, agentId), eq(sandboxMeter.billedCpuMs, from)))
    .run();
  return updated.meta.changes === 1;
}

async function stopForCredits(env: Env, agentId: string): Promise<void> {
  await env.CACHE.put(outOfCreditsKey(agentId), "1");
  const workspace = await sandboxFor(env).workspace(agentId);
  await workspace.stopAllProcesses(OUT_OF_CREDITS_REASON);
}

/**
 * Whether a workspace's previews answer the out-of-credits page: it was stopped for lack of credits and its account
 * still has none. Once it has, the mark goes and previews serve again.
 */
export async function previewsOutOfCredits(env: Env, agentId: string, now: Date): Promise<boolean> {
  if ((await env.CACHE.get(outOfCreditsKey(agentId))) === null) return false;
  const owner = await getDb(env.DB).select({ accountId: agent.accountId }).from(agent).where(eq(agent.id, agentId)).get();
  if (owner && (await getBalance(env.DB, owner.accountId, now)).availableMillicredits > 0) {
    await env.CACHE.delete(outOfCreditsKey(agentId));
    return false;
  }
  return true;
}
