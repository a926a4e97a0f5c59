"use client";

import { passkeyClient } from "@better-auth/passkey/client";
import { createAuthClient } from "better-auth/react";
import { requestJson } from "../api-client.ts";

/** Better Auth's browser client, mounted at /api/auth on this origin. */
export const authClient = createAuthClient({ basePath: "/api/auth", plugins: [passkeyClient()] });

/** The message to show for a failed auth call: Better Auth's `message`, or ours under `error.message`. */
export function errorMessage(error: unknown, fallback = "Something went wrong. Please try again."): string {
  if (!error || typeof error !== "object") return fallback;
  const e = error as { message?: unknown; status?: number; error?: { message?: unknown } };
  if (e.status === 429) return "Too many attempts. Wait a moment and try again.";
  if (typeof e.message === "string" && e.message) return e.message;
  if (typeof e.error?.message === "string") return e.error.message;
  return fallback;
}

/** JSON fetch for our own /api routes (../api-client.ts); throws an ApiError with the server's message on a non-2xx answer. */
export function apiFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  return requestJson<T>(path, init);
}
