import { AsyncLocalStorage } from "node:async_hooks";

type WaitUntil = (promise: Promise<unknown>) => void;

const current = new AsyncLocalStorage<WaitUntil>();

/**
 * Runs `fn` with the request's `waitUntil`, so Better Auth sends emails after the response instead of before it:
 * a password reset or verification request then takes the same time whether or not the address has an account.
 */
export function withBackgroundTasks<T>(waitUntil: WaitUntil, fn: () => T): T {
  return current.run(waitUntil, fn);
}

/** Better Auth's background task handler: the current request's waitUntil, or plain awaiting outside a request. */
export function runInBackground(promise: Promise<unknown>): void {
  const waitUntil = current.getStore();
  if (waitUntil) waitUntil(promise);
  else void promise;
}
