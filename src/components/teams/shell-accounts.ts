import { cookies } from "next/headers";
import { getDb } from "@/db/client.ts";
import type { ActiveSession } from "@/lib/auth/session.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";
import { PERMISSIONS } from "@/lib/teams/permissions.ts";
import { ACCOUNT_COOKIE } from "@/lib/teams/selection.ts";
import { listTeams, type TeamSummary } from "@/lib/teams/teams.ts";
import type { ShellAccounts } from "@/components/shell/app-shell.tsx";

export interface SelectedAccount extends ShellAccounts {
  /** The selected team, or undefined when the personal account is selected. */
  team?: TeamSummary;
  personalAccountId: string;
}

/**
 * For server pages: the accounts the switcher offers and the one selected (the cookie, if it still names one of the
 * caller's teams; otherwise personal), with the caller's permissions in it.
 */
export async function selectedAccount(active: ActiveSession): Promise<SelectedAccount> {
  const personalAccountId = active.personalAccountId ?? "";
  const teams = await listTeams(getDb(getEnv().DB), active.user.id);
  const wanted = (await cookies()).get(ACCOUNT_COOKIE)?.value;
  const team = teams.find((t) => t.id === wanted);
  return {
    personalAccountId,
    team,
    choices: [
      { id: personalAccountId, name: "Personal", kind: "personal" as const },
      ...teams.map((t) => ({ id: t.id, name: t.name, kind: "team" as const })),
    ],
    selectedId: team?.id ?? personalAccountId,
    permissions: team ? team.permissions : [...PERMISSIONS],
  };
}
