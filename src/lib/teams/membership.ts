import { and, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { teamRole } from "../../db/schema.ts";
import { BUILT_IN_ROLE_PERMISSIONS, PERMISSIONS, isBuiltInRole, normalizePermissions, type Permission } from "./permissions.ts";

/**
 * The permissions a member holds in an account: every permission in their own personal account; in a team, those
 * of their built-in role, or of the team's custom role whose id is stored as their role. Unknown roles grant nothing.
 */
export async function permissionsFor(
  db: Db,
  membership: { accountId: string; kind: "personal" | "team"; role: string },
): Promise<Permission[]> {
  if (membership.kind === "personal") return [...PERMISSIONS];
  if (isBuiltInRole(membership.role)) return [...BUILT_IN_ROLE_PERMISSIONS[membership.role]];
  const custom = await db
    .select({ permissionsJson: teamRole.permissionsJson })
    .from(teamRole)
    .where(and(eq(teamRole.id, membership.role), eq(teamRole.accountId, membership.accountId)))
    .get();
  return custom ? normalizePermissions(JSON.parse(custom.permissionsJson) as string[]) : [];
}
