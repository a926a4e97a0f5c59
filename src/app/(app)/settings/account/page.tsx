import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/components/auth/current-session.ts";
import { DeleteAccountForm } from "@/components/settings/delete-account-form.tsx";
import { SettingsSection } from "@/components/settings/section.tsx";
import { getDb } from "@/db/client.ts";
import { hasPassword } from "@/lib/auth/credentials.ts";
import { getEnv } from "@/lib/http/cloudflare-env.ts";

export const metadata: Metadata = { title: "Delete account" };

export default async function DeleteAccountPage() {
  const active = await currentSession();
  if (!active) redirect("/sign-in?next=/settings/account");
  const withPassword = await hasPassword(getDb(getEnv().DB), active.user.id);
  return (
    <SettingsSection
      title="Delete account"
      description="This removes your profile, sign-in methods, sessions, API keys, agents and their data. Billing records stay, without your name. It cannot be undone."
    >
      <DeleteAccountForm email={active.user.email} hasPassword={withPassword} />
    </SettingsSection>
  );
}
