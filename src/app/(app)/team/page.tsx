import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/components/auth/current-session.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { MyInvitations } from "@/components/teams/my-invitations.tsx";
import { selectedAccount } from "@/components/teams/shell-accounts.ts";
import { TeamSettings } from "@/components/teams/team-settings.tsx";
import { TeamsOverview } from "@/components/teams/teams-overview.tsx";

export const metadata: Metadata = { title: "Team" };

/** The selected team's settings; with the personal account selected (or ?new=1), the teams list and create form. */
export default async function TeamPage({ searchParams }: { searchParams: Promise<{ new?: string }> }) {
  const active = await currentSession();
  if (!active) redirect("/sign-in");
  const selected = await selectedAccount(active);
  const { new: creating } = await searchParams;
  if (selected.team && !creating) {
    return (
      <>
        <PageHeader title={selected.team.name} description="Members, invitations, roles and the audit log of this team." />
        <MyInvitations />
        <TeamSettings teamId={selected.team.id} userId={active.user.id} personalAccountId={selected.personalAccountId} />
      </>
    );
  }
  return (
    <>
      <PageHeader title="Teams" description="Teams share agents and credits, with roles." />
      <MyInvitations />
      <TeamsOverview />
    </>
  );
}
