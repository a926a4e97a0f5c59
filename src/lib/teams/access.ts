import type { Env } from "../../env.ts";
import { membershipOf, requireUser, type ActingAccount, type Caller } from "../auth/caller.ts";
import { NotFound } from "../errors.ts";
import type { Permission } from "./permissions.ts";

export interface TeamAccess {
  caller: Caller;
  team: ActingAccount;
}

/**
 * The team a `/api/teams/:teamId/...` request names, if the caller belongs to it: anyone else (and a personal
 * account's id) gets 404; a member whose role lacks `permission` gets 403.
 */
export async function teamForRequest(request: Request, env: Env, teamId: string, permission?: Permission): Promise<TeamAccess> {
  const caller = await requireUser(request, env);
  const team = await membershipOf(env, caller, teamId, permission).catch((error: unknown) => {
    throw error instanceof NotFound ? new NotFound("No such team") : error;
  });
  if (team.kind !== "team") throw new NotFound("No such team");
  return { caller, team };
}
