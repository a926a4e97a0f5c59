import { requestJson } from "../api-client.ts";

/** Calls an admin route from the browser; a refusal becomes an ApiError with the server's message. */
export function adminRequest<T = unknown>(path: string, method: string, body?: unknown): Promise<T> {
  return requestJson<T>(path, { method, body });
}
