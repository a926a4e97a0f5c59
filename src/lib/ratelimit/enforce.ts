import type { Env } from "../../env.ts";
import { RateLimited } from "../errors.ts";
import { effectiveRule, type RateLimitName } from "./limits.ts";

/** Counts one hit of `rule` for `key`; throws RateLimited (429 with Retry-After) once the limit is reached. */
export async function enforceRateLimit(env: Env, rule: RateLimitName, key: string): Promise<void> {
  const { limit, windowSeconds, message } = effectiveRule(rule, env.RATE_LIMIT_WINDOW_SECONDS);
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(`${rule}:${key.toLowerCase()}`));
  const result = await stub.hit(limit, windowSeconds);
  if (!result.allowed) throw new RateLimited(result.retryAfterSeconds, message);
}

/** Enforces several (rule, key) pairs; every pair is counted, so one key cannot hide behind another. */
export async function enforceRateLimits(env: Env, checks: [RateLimitName, string][]): Promise<void> {
  const outcomes = await Promise.allSettled(checks.map(([rule, key]) => enforceRateLimit(env, rule, key)));
  const refused = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
  if (refused) throw refused.reason;
}
