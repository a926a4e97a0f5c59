import { isProduction, type Env } from "../../env.ts";
import { NotFound } from "../errors.ts";

/** Development and test helpers do not exist in production. */
export function assertDevelopment(env: Env): void {
  if (isProduction(env)) throw new NotFound();
}

/** Test hooks exist only when the Worker runs under the test suite (ENVIRONMENT=test). */
export function assertTestEnvironment(env: Env): void {
  if (env.ENVIRONMENT !== "test") throw new NotFound();
}
