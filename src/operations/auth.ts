import type { Env } from "../env.ts";
import { getAuth, type Auth } from "../lib/auth/server.ts";
import { deleteUserAgents } from "./agent-deletion.ts";

/** Better Auth for a request, with what deleting a user means for their agents (./agent-deletion.ts). */
export function authFor(env: Env, request: Request): Auth {
  return getAuth(env, request, { beforeUserDeleted: (userId) => deleteUserAgents(env, userId) });
}
