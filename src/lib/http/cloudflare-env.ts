import { getCloudflareContext } from "@opennextjs/cloudflare";
import type { Env } from "../../env.ts";

/** The Worker's bindings inside a Next.js route handler or server component. */
export function getEnv(): Env {
  return getCloudflareContext().env as Env;
}

/** The Worker's execution context inside a Next.js route handler (for `waitUntil`). */
export function getExecutionContext(): ExecutionContext {
  return getCloudflareContext().ctx as ExecutionContext;
}
