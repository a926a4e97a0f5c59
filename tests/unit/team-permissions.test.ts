import { describe, expect, it } from "vitest";
import {
  BUILT_IN_ROLES,
  BUILT_IN_ROLE_PERMISSIONS,
  PERMISSIONS,
  PERMISSION_LABELS,
  isBuiltInRole,
  normalizePermissions,
} from "../../src/lib/teams/permissions.ts";
import { selectedAccountId } from "../../src/lib/teams/selection.ts";

describe("team permissions", () => {
  it("includes every permission the issue names, each with a label", () => {
    for (const name of [
      "agents.use",
      "agents.manage",
      "billing.view",
      "billing.purchase",
      "members.invite",
      "members.remove",
      "members.roles",
      "team.settings",
      "team.delete",
    ]) {
      expect(PERMISSIONS).toContain(name);
    }
    expect(Object.keys(PERMISSION_LABELS).sort()).toEqual([...PERMISSIONS].sort());
  });

  it("gives the owner everything, the admin everything but deleting the team, and a member agents and the balance", () => {
    expect([...BUILT_IN_ROLE_PERMISSIONS.owner]).toEqual([...PERMISSIONS]);
    expect(PERMISSIONS.filter((p) => !BUILT_IN_ROLE_PERMISSIONS.admin.includes(p))).toEqual(["team.delete"]);
    expect([...BUILT_IN_ROLE_PERMISSIONS.member]).toEqual(["agents.use", "billing.view"]);
    expect(BUILT_IN_ROLES.every(isBuiltInRole)).toBe(true);
    expect(isBuiltInRole("role_abc")).toBe(false);
  });

  it("keeps only known permission names of a custom role, in canonical order, once each", () => {
    expect(normalizePermissions(["billing.view", "nope", "agents.use", "billing.view"])).toEqual(["agents.use", "billing.view"]);
  });
});

describe("the remembered account", () => {
  it("reads the account id from the cookie header and ignores anything that is not an id", () => {
    expect(selectedAccountId("a=1; netm8-account=3f2a-11; b=2")).toBe("3f2a-11");
    expect(selectedAccountId("netm8-account=%3Cscript%3E")).toBeUndefined();
    expect(selectedAccountId(null)).toBeUndefined();
  });
});
