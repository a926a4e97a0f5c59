import { redirect } from "next/navigation";
import { Suspense, type ReactNode } from "react";
import { currentSession } from "@/components/auth/current-session.ts";
import { VerifiedNotice } from "@/components/auth/verified-notice.tsx";
import { VerifyEmailBanner } from "@/components/auth/verify-email-banner.tsx";
import { AppShell } from "@/components/shell/app-shell.tsx";
import { ImpersonationBanner } from "@/components/shell/impersonation-banner.tsx";
import { ShellBanners } from "@/components/shell/shell-banners.tsx";
import { selectedAccount } from "@/components/teams/shell-accounts.ts";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const active = await currentSession();
  if (!active) redirect("/sign-in");
  const { user } = active;
  const { choices, selectedId, permissions } = await selectedAccount(active);
  return (
    <AppShell user={{ name: user.name, email: user.email, isAdmin: user.role === "admin" }} accounts={{ choices, selectedId, permissions }}>
      <ShellBanners sticky={Boolean(active.impersonatedBy)}>
        {active.impersonatedBy && <ImpersonationBanner name={user.name} email={user.email} />}
        {!user.emailVerified && <VerifyEmailBanner email={user.email} />}
        <Suspense>
          <VerifiedNotice emailVerified={user.emailVerified} />
        </Suspense>
      </ShellBanners>
      {children}
    </AppShell>
  );
}
