import type { Env } from "../env.ts";

/** What the agent's Durable Objects read as "now", in epoch milliseconds. */
export type Clock = () => number;

export const realClock: Clock = () => Date.now();

/**
 * The agent's clock: real time, or, only when the Worker runs under the test suite, the simulated time a test set
 * for this agent (frozen until the test sets another), so month boundaries, reservation expiries, task checkpoints
 * and schedule due times can be tested on any date. It is the same simulated "now" the test sends to the Next.js
 * routes as `X-Test-Now` (src/lib/http/clock.ts).
 */
export function agentClock(env: Pick<Env, "ENVIRONMENT">, simulatedAt: number | null): Clock {
  if (env.ENVIRONMENT !== "test" || simulatedAt === null) return realClock;
  return () => simulatedAt;
}
