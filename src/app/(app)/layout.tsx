import { redirect } from "next/navigation";
import type { ReactNode } from "react";
import { currentSession } from "@/components/auth/current-session.ts";
import { VerifyEmailBanner } from "@/components/auth/verify-email-banner.tsx";
import { AppShell } from "@/components/shell/app-shell.tsx";

export const dynamic = "force-dynamic";

export default async function AppLayout({ children }: { children: ReactNode }) {
  const active = await currentSession();
  if (!active) redirect("/sign-in");
  const { user } = active;
  return (
    <AppShell user={{ name: user.name, email: user.email, isAdmin: user.role === "admin" }}>
      {!user.emailVerified && <VerifyEmailBanner email={user.email} />}
      {children}
    </AppShell>
  );
}
