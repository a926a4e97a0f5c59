import { AsyncLocalStorage } from "node:async_hooks";
import { getCloudflareContext } from "@opennextjs/cloudflare";
import type { Env } from "../../env.ts";

/** What a request's handler needs from the runtime: the Worker's bindings and the request's waitUntil. */
export interface RequestContext {
  env: Env;
  ctx: Pick<ExecutionContext, "waitUntil">;
}

const current = new AsyncLocalStorage<RequestContext>();

/** Runs an API route handler that the Worker entry serves itself (src/worker/api-router.ts) with its request's context. */
export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return current.run(context, fn);
}

// API routes run under the Worker entry's context; pages and server components under OpenNext's.
function requestContext(): RequestContext {
  return current.getStore() ?? (getCloudflareContext() as unknown as RequestContext);
}

/** The Worker's bindings inside a route handler or server component. */
export function getEnv(): Env {
  return requestContext().env;
}

/** Keeps the request's isolate alive until `promise` settles, after the response is sent. */
export function waitUntil(promise: Promise<unknown>): void {
  requestContext().ctx.waitUntil(promise);
}
