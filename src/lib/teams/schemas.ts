import { z } from "zod";
import { nameField } from "../text/names.ts";
import { PERMISSIONS } from "./permissions.ts";

export const TeamName = nameField("name", 100);
export const NewTeamBody = z.object({ name: TeamName, slug: z.string().trim().toLowerCase().min(1).max(40) });
export const UpdateTeamBody = z.object({ name: TeamName });
export const DeleteTeamBody = z.object({ confirm: z.string() });
export const RoleRef = z.string().min(1).max(100);
export const NewInvitationBody = z.object({ email: z.email().max(254), role: RoleRef.default("member") });
export const ChangeRoleBody = z.object({ role: RoleRef });
export const TransferOwnershipBody = z.object({ userId: z.string().min(1).max(100) });
export const RoleName = nameField("name", 50);
export const NewRoleBody = z.object({ name: RoleName, permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length) });
export const UpdateRoleBody = z
  .object({ name: RoleName.optional(), permissions: z.array(z.enum(PERMISSIONS)).max(PERMISSIONS.length).optional() })
  .refine((body) => body.name !== undefined || body.permissions !== undefined, { message: "give a name or permissions" });
