import type { Env } from "../../env.ts";
import { findCaller, type Caller } from "../auth/caller.ts";
import { readSession } from "../auth/session.ts";
import { Forbidden, NotFound } from "../errors.ts";

/**
 * The caller of an admin route, who must be a platform admin. Everyone else (signed out, a user, a team owner)
 * gets 404, as if the route did not exist; only an admin's own cross-site write is told it was refused (403).
 */
export async function requireAdminCaller(request: Request, env: Env): Promise<Caller> {
  let caller: Caller | null;
  try {
    caller = await findCaller(request, env);
  } catch (error) {
    if (error instanceof Forbidden && (await readSession(request, env))?.user.role === "admin") throw error;
    throw new NotFound();
  }
  if (caller?.user.role !== "admin") throw new NotFound();
  return caller;
}
