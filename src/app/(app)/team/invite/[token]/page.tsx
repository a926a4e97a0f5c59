import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/components/auth/current-session.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { AcceptInvitation } from "@/components/teams/accept-invitation.tsx";

export const metadata: Metadata = { title: "Team invitation" };

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const active = await currentSession();
  if (!active) redirect(`/sign-in?next=${encodeURIComponent(`/team/invite/${token}`)}`);
  return (
    <>
      <PageHeader title="Team invitation" />
      <AcceptInvitation token={token} email={active.user.email} verified={active.user.emailVerified} />
    </>
  );
}
