import { notFound } from "next/navigation";
import { currentSession } from "@/components/auth/current-session.ts";
import type { ActiveSession } from "@/lib/auth/session.ts";

/** The admin's session for an admin page; everyone else gets the 404 page, signed in or not. */
export async function requireAdminPage(): Promise<ActiveSession> {
  const active = await currentSession();
  if (active?.user.role !== "admin") notFound();
  return active;
}
