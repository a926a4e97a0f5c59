import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../db/client.ts";
import { accountMember, teamRole } from "../../db/schema.ts";
import type { ActingAccount } from "../auth/caller.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors.ts";
import { recordAudit } from "./audit.ts";
import { permissionsFor } from "./membership.ts";
import { BUILT_IN_ROLES, BUILT_IN_ROLE_PERMISSIONS, isBuiltInRole, normalizePermissions, type Permission } from "./permissions.ts";

export interface RoleView {
  id: string;
  name: string;
  builtIn: boolean;
  permissions: Permission[];
}

/** The roles a team can assign: the built-in ones, then its custom roles (whose id is what a member row stores). */
export async function listRoles(db: Db, accountId: string): Promise<RoleView[]> {
  const custom = await db.select().from(teamRole).where(eq(teamRole.accountId, accountId)).orderBy(asc(teamRole.name));
  return [
    ...BUILT_IN_ROLES.map((name) => ({ id: name, name, builtIn: true, permissions: [...BUILT_IN_ROLE_PERMISSIONS[name]] })),
    ...custom.map((row) => ({
      id: row.id,
      name: row.name,
      builtIn: false,
      permissions: normalizePermissions(JSON.parse(row.permissionsJson) as string[]),
    })),
  ];
}

/** Throws NotFound unless `role` is a built-in role or one of this team's custom roles. */
export async function assertRoleExists(db: Db, accountId: string, role: string): Promise<void> {
  if (isBuiltInRole(role)) return;
  const row = await db
    .select({ id: teamRole.id })
    .from(teamRole)
    .where(and(eq(teamRole.id, role), eq(teamRole.accountId, accountId)))
    .get();
  if (!row) throw new Invalid("role: no such role in this team");
}

/** Nobody hands out more than they hold: a role given, edited or taken away must be within the caller's permissions. */
export function assertWithinOwn(acting: ActingAccount, permissions: readonly Permission[]): void {
  const missing = permissions.filter((p) => !acting.permissions.includes(p));
  if (missing.length > 0) throw new Forbidden(`You cannot grant or change permissions you do not hold: ${missing.join(", ")}`);
}

/** Like assertWithinOwn, for a role by its id (built-in or custom). */
export async function assertRoleWithinOwn(db: Db, acting: ActingAccount, role: string): Promise<void> {
  assertWithinOwn(acting, await permissionsFor(db, { accountId: acting.id, kind: "team", role }));
}

export async function createRole(
  db: Db,
  acting: ActingAccount,
  actorUserId: string,
  input: { name: string; permissions: string[] },
): Promise<RoleView> {
  const accountId = acting.id;
  if (isBuiltInRole(input.name.toLowerCase())) throw new Conflict("That name belongs to a built-in role");
  const id = `role_${crypto.randomUUID().replaceAll("-", "")}`;
  const permissions = normalizePermissions(input.permissions);
  assertWithinOwn(acting, permissions);
  try {
    await db.insert(teamRole).values({ id, accountId, name: input.name, permissionsJson: JSON.stringify(permissions) });
  } catch (error) {
    if (String(error).includes("UNIQUE")) throw new Conflict("A role with that name exists");
    throw error;
  }
  await recordAudit(db, accountId, actorUserId, "role.created", { roleId: id, name: input.name, permissions });
  return { id, name: input.name, builtIn: false, permissions };
}

async function customRole(db: Db, accountId: string, roleId: string) {
  const row = await db
    .select()
    .from(teamRole)
    .where(and(eq(teamRole.id, roleId), eq(teamRole.accountId, accountId)))
    .get();
  if (!row) throw new NotFound("No such role");
  return row;
}

export async function updateRole(
  db: Db,
  acting: ActingAccount,
  actorUserId: string,
  roleId: string,
  changes: { name?: string; permissions?: string[] },
): Promise<RoleView> {
  const accountId = acting.id;
  const row = await customRole(db, accountId, roleId);
  const name = changes.name ?? row.name;
  if (isBuiltInRole(name.toLowerCase())) throw new Conflict("That name belongs to a built-in role");
  const permissions = normalizePermissions(changes.permissions ?? (JSON.parse(row.permissionsJson) as string[]));
  assertWithinOwn(acting, [...permissions, ...normalizePermissions(JSON.parse(row.permissionsJson) as string[])]);
  await db
    .update(teamRole)
    .set({ name, permissionsJson: JSON.stringify(permissions) })
    .where(eq(teamRole.id, roleId));
  await recordAudit(db, accountId, actorUserId, "role.updated", { roleId, name, permissions });
  return { id: roleId, name, builtIn: false, permissions };
}

/** Deletes a custom role nobody holds any more. */
export async function deleteRole(db: Db, acting: ActingAccount, actorUserId: string, roleId: string): Promise<void> {
  const accountId = acting.id;
  const row = await customRole(db, accountId, roleId);
  assertWithinOwn(acting, normalizePermissions(JSON.parse(row.permissionsJson) as string[]));
  const holder = await db
    .select({ userId: accountMember.userId })
    .from(accountMember)
    .where(and(eq(accountMember.accountId, accountId), eq(accountMember.role, roleId)))
    .get();
  if (holder) throw new Conflict("Members still hold this role: give them another role first");
  await db.delete(teamRole).where(eq(teamRole.id, roleId));
  await recordAudit(db, accountId, actorUserId, "role.deleted", { roleId, name: row.name });
}
