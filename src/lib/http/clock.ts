import type { Env } from "../../env.ts";

/**
 * The current time for a request. Only in the test environment may a request set it (header `X-Test-Now`, an ISO
 * date), so tests can cross a month boundary against the real runtime.
 */
export function requestTime(request: Request, env: Pick<Env, "ENVIRONMENT">): Date {
  const override = env.ENVIRONMENT === "test" ? request.headers.get("x-test-now") : null;
  if (override) {
    const at = new Date(override);
    if (!Number.isNaN(at.getTime())) return at;
  }
  return new Date();
}

/** The request's time as a clock (epoch milliseconds): the simulated time of a test request, else real time. */
export function requestClock(request: Request, env: Pick<Env, "ENVIRONMENT">): () => number {
  const simulated = env.ENVIRONMENT === "test" && request.headers.has("x-test-now") ? requestTime(request, env).getTime() : null;
  return simulated === null ? () => Date.now() : () => simulated;
}
