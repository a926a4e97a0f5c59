import { release, reserve, settle } from "./ledger.ts";
import { sandboxCost } from "./pricing.ts";

/** Whose account a sandbox run is billed to, and what it is attributed to in the ledger. */
export interface MeterRef {
  accountId: string;
  agentId: string;
  threadId: string;
}

/** The longest a metered sandbox run is reserved for (the exec timeout's upper bound). */
export const SANDBOX_RESERVATION_MS = 10 * 60_000;

/** Runs a sandbox operation under a reservation of its longest possible duration, then bills what it took. */
export async function chargeSandboxRun<T extends { durationMs: number }>(
  d1: D1Database,
  ref: MeterRef,
  run: () => Promise<T>,
  clock: () => number,
): Promise<{ result: T; chargedMillicredits: number }> {
  const held = await reserve(d1, ref.accountId, sandboxCost(SANDBOX_RESERVATION_MS), ref, new Date(clock()));
  let result: T;
  try {
    result = await run();
  } catch (error) {
    await release(d1, held, new Date(clock()));
    throw error;
  }
  const { chargedMillicredits } = await settle(
    d1,
    held,
    sandboxCost(result.durationMs),
    { ...ref, sandboxMs: result.durationMs, reason: "Sandbox time" },
    new Date(clock()),
  );
  return { result, chargedMillicredits };
}
