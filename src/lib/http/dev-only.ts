import { isProduction, type Env } from "../../env.ts";
import { NotFound } from "../errors.ts";

/** Development and test helpers do not exist in production. */
export function assertDevelopment(env: Env): void {
  if (isProduction(env)) throw new NotFound();
}
