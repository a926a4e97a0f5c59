import { and, eq, isNull } from "drizzle-orm";
import type { Env } from "../../env.ts";
import { getDb } from "../../db/client.ts";
import { agent, sandboxMeter } from "../../db/schema.ts";
import { sandboxFor } from "../../sandbox/backend.ts";
import type { WorkspaceUsage } from "../../sandbox/types.ts";
import { InsufficientCredits } from "../errors.ts";
import { getBalance, type Reservation, release, reserve, settle } from "./ledger.ts";
import { sandboxCost } from "./pricing.ts";

/** The last line a process stopped for lack of credits writes to its log. */
export const OUT_OF_CREDITS_REASON = "stopped: the account is out of credits. Files are kept; add credits and start the process again.";

/** KV key that marks a workspace stopped for lack of credits: its previews answer the out-of-credits page. */
export const outOfCreditsKey = (agentId: string) => `out-of-credits:${agentId}`;

/** What running background processes hold ahead: one cron interval (5 minutes) of CPU on two CPUs. */
export const BACKGROUND_INCREMENT_MS = 2 * 5 * 60_000;

const REASON = "Background process CPU time";

export type BackgroundBill = { agentId: string; cpuMs: number; chargedMillicredits: number; stopped: boolean };

/**
 * Bills background processes' CPU time (the cron, every 5 minutes). sandboxd counts each workspace's up and a counter
 * only grows, so each run bills the difference since the last one: first claimed in sandbox_meter by a conditional
 * update (two runs never bill the same milliseconds; a crash between the claim and the charge loses that one
 * difference, never charges it twice), then settled against the reservation held ahead for the workspace. While
 * processes run, the next increment is reserved ahead; an account that cannot reserve it (or pay what was used
 * beyond it, which it pays as far as it can) has its processes stopped, with a line in their logs, and its previews
 * answer the out-of-credits page until it has credits again. Files are kept.
 */
export async function billBackgroundCompute(env: Env, now: Date): Promise<BackgroundBill[]> {
  const usage = await sandboxFor(env).usage();
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
  const meter = await db
    .select({ billed: sandboxMeter.billedCpuMs, held: sandboxMeter.heldReservation })
    .from(sandboxMeter)
    .where(eq(sandboxMeter.agentId, usage.id))
    .get();
  const billed = meter?.billed ?? 0;
  let held = meter?.held ? (JSON.parse(meter.held) as Reservation) : null;
  const cpuMs = usage.backgroundCpuMs - billed;
  let charged = 0;
  let short = false;
  if (cpuMs > 0 && (await claim(env, usage.id, billed, usage.backgroundCpuMs, meter !== undefined, now))) {
    const cost = sandboxCost(cpuMs);
    const ref = { agentId: usage.id };
    if (held && (await takeHeld(env, usage.id, held))) {
      charged += (await settle(env.DB, held, Math.min(cost, held.amountMillicredits), { ...ref, sandboxMs: cpuMs, reason: REASON }, now))
        .chargedMillicredits;
      held = null;
    }
    const rest = cost - charged;
    if (rest > 0) {
      // Used beyond what was held (or nothing was): paid as far as the balance goes.
      const { availableMillicredits } = await getBalance(env.DB, owner.accountId, now);
      const payable = Math.min(rest, Math.max(0, availableMillicredits));
      short = payable < rest;
      if (payable > 0) {
        const extra = await reserve(env.DB, owner.accountId, payable, ref, now);
        const sandboxMs = charged > 0 ? 0 : cpuMs;
        charged += (await settle(env.DB, extra, payable, { ...ref, sandboxMs, reason: REASON }, now)).chargedMillicredits;
      }
    }
  }
  let stopped = false;
  if (usage.runningProcesses > 0) {
    const ahead = held ?? (await reserveAhead(env, usage.id, owner.accountId, now));
    if (short || !ahead) {
      await stopForCredits(env, usage.id);
      stopped = true;
    }
  } else if (held && (await takeHeld(env, usage.id, held))) {
    await release(env.DB, held, now);
  }
  return { agentId: usage.id, cpuMs: Math.max(0, cpuMs), chargedMillicredits: charged, stopped };
}

/**
 * Holds the next increment of background CPU for a workspace, unless one is held already. Returns the reservation
 * held, or null when the account cannot cover it.
 */
async function reserveAhead(env: Env, agentId: string, accountId: string, now: Date): Promise<Reservation | null> {
  const db = getDb(env.DB);
  const current = await db.select({ held: sandboxMeter.heldReservation }).from(sandboxMeter).where(eq(sandboxMeter.agentId, agentId)).get();
  if (current?.held) return JSON.parse(current.held) as Reservation;
  let reservation: Reservation;
  try {
    reservation = await reserve(env.DB, accountId, sandboxCost(BACKGROUND_INCREMENT_MS), { agentId }, now);
  } catch (error) {
    if (error instanceof InsufficientCredits) return null;
    throw error;
  }
  const json = JSON.stringify(reservation);
  await db.insert(sandboxMeter).values({ agentId, billedCpuMs: 0, heldReservation: null, updatedAt: now }).onConflictDoNothing().run();
  const stored = await db
    .update(sandboxMeter)
    .set({ heldReservation: json, updatedAt: now })
    .where(and(eq(sandboxMeter.agentId, agentId), isNull(sandboxMeter.heldReservation)))
    .run();
  if (stored.meta.changes === 1) return reservation;
  // Another caller held one meanwhile: keep theirs.
  await release(env.DB, reservation, now);
  const theirs = await db.select({ held: sandboxMeter.heldReservation }).from(sandboxMeter).where(eq(sandboxMeter.agentId, agentId)).get();
  return theirs?.held ? (JSON.parse(theirs.held) as Reservation) : null;
}

/**
 * Before a background process starts: holds the workspace's first increment of CPU, or refuses with 402 when the
 * account cannot cover it (nothing starts).
 */
export async function reserveBackgroundAhead(env: Env, agentId: string, accountId: string, now: Date): Promise<void> {
  // The Cloudflare container reports no CPU time, so nothing would ever settle what was held.
  if (env.SANDBOX_BACKEND === "cloudflare") return;
  if (await reserveAhead(env, agentId, accountId, now)) return;
  const balance = await getBalance(env.DB, accountId, now);
  throw new InsufficientCredits(
    `A background process holds ${sandboxCost(BACKGROUND_INCREMENT_MS) / 1000} credits ahead (5 CPU-minutes on two CPUs); the account has ${balance.availableMillicredits / 1000} available.`,
    { balance: balance.availableMillicredits / 1000, buyUrl: "/billing" },
  );
}

/** Takes the held reservation off the meter if it is still this one; whether this caller may close it. */
async function takeHeld(env: Env, agentId: string, held: Reservation): Promise<boolean> {
  const taken = await getDb(env.DB)
    .update(sandboxMeter)
    .set({ heldReservation: null })
    .where(and(eq(sandboxMeter.agentId, agentId), eq(sandboxMeter.heldReservation, JSON.stringify(held))))
    .run();
  return taken.meta.changes === 1;
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
 * still cannot hold a background increment. Once it can, the mark goes and previews serve again.
 */
export async function previewsOutOfCredits(env: Env, agentId: string, now: Date): Promise<boolean> {
  if ((await env.CACHE.get(outOfCreditsKey(agentId))) === null) return false;
  const owner = await getDb(env.DB).select({ accountId: agent.accountId }).from(agent).where(eq(agent.id, agentId)).get();
  if (owner && (await getBalance(env.DB, owner.accountId, now)).availableMillicredits >= sandboxCost(BACKGROUND_INCREMENT_MS)) {
    await env.CACHE.delete(outOfCreditsKey(agentId));
    return false;
  }
  return true;
}
