import { release, reserve, settle } from "./ledger.ts";
import { billedComputeMs, sandboxCost } from "./pricing.ts";

/** Whose account a sandbox run is billed to, and what it is attributed to in the ledger. */
export interface MeterRef {
  accountId: string;
  agentId: string;
  threadId: string;
}

/**
 * What a metered sandbox run reserves: the exec timeout's upper bound (10 minutes) on two CPUs, the most a
 * workspace is given; the run then settles to what it used.
 */
export const SANDBOX_RESERVATION_MS = 2 * 10 * 60_000;

/** Runs a sandbox operation under a reservation of the most it can use, then bills the compute it used. */
export async function chargeSandboxRun<T extends { durationMs: number; cpuMs?: number }>(
  d1: D1Database,
  ref: MeterRef,
  run: () => Promise<T>,
  clock: () => number,
  /** What of a cost may be charged (a turn's credit cap): called once, with the run's cost, just before it is settled. */
  admit: (costMillicredits: number) => number = (cost) => cost,
): Promise<{ result: T; chargedMillicredits: number; reservationId: string }> {
  const held = await reserve(d1, ref.accountId, sandboxCost(SANDBOX_RESERVATION_MS), ref, new Date(clock()));
  let result: T;
  try {
    result = await run();
  } catch (error) {
    await release(d1, held, new Date(clock()));
    throw error;
  }
  const computeMs = billedComputeMs(result);
  const { chargedMillicredits } = await settle(
    d1,
    held,
    admit(sandboxCost(computeMs)),
    { ...ref, sandboxMs: computeMs, reason: result.cpuMs === undefined ? "Sandbox time" : "Sandbox CPU time" },
    new Date(clock()),
  );
  return { result, chargedMillicredits, reservationId: held.id };
}
