/**
 * The one list of team permission names and built-in roles. Routes, the `/ws/` check and the UI import from here.
 * A personal account's owner holds every permission; a team member holds those of their role (built-in or custom).
 */
export const PERMISSIONS = [
  "agents.use",
  "agents.manage",
  "secrets.manage",
  "billing.view",
  "billing.purchase",
  "members.invite",
  "members.remove",
  "members.roles",
  "team.settings",
  "team.delete",
  "audit.view",
  "threads.share",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const PERMISSION_LABELS: Record<Permission, string> = {
  "agents.use": "Chat with agents and use their workspaces",
  "agents.manage": "Create, rename and delete agents",
  "secrets.manage": "List, set and delete agents' secrets",
  "billing.view": "See credits, purchases and usage",
  "billing.purchase": "Buy credits",
  "members.invite": "Invite members and revoke invitations",
  "members.remove": "Remove members",
  "members.roles": "Change members' roles and edit custom roles",
  "team.settings": "Rename the team",
  "team.delete": "Delete the team",
  "audit.view": "See the audit log",
  "threads.share": "Share threads as public read-only links",
};

export const BUILT_IN_ROLES = ["owner", "admin", "member"] as const;
export type BuiltInRole = (typeof BUILT_IN_ROLES)[number];

const ALL: readonly Permission[] = PERMISSIONS;

export const BUILT_IN_ROLE_PERMISSIONS: Record<BuiltInRole, readonly Permission[]> = {
  owner: ALL,
  admin: ALL.filter((p) => p !== "team.delete"),
  member: ["agents.use", "billing.view"],
};

export function isBuiltInRole(role: string): role is BuiltInRole {
  return (BUILT_IN_ROLES as readonly string[]).includes(role);
}

export function isPermission(name: string): name is Permission {
  return (PERMISSIONS as readonly string[]).includes(name);
}

/** Only known permission names, in the canonical order, without duplicates. */
export function normalizePermissions(names: readonly string[]): Permission[] {
  return PERMISSIONS.filter((p) => names.includes(p));
}
