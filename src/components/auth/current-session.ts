import { headers } from "next/headers";
import { readSession, type ActiveSession } from "@/lib/auth/session.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

/** The signed-in session for a server component or page, read from D1 (never cached), or null. */
export async function currentSession(): Promise<ActiveSession | null> {
  const incoming = await headers();
  return readSession(new Request("http://internal/", { headers: new Headers(incoming) }), getEnv());
}
