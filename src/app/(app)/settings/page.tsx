import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { currentSession } from "@/components/auth/current-session.ts";
import { ProfileForm } from "@/components/settings/profile-form.tsx";
import { SettingsSection } from "@/components/settings/section.tsx";

export const metadata: Metadata = { title: "Settings" };

export default async function ProfileSettingsPage() {
  const active = await currentSession();
  if (!active) redirect("/sign-in?next=/settings");
  const { user } = active;
  return (
    <SettingsSection title="Profile" description="How you appear to your team.">
      <ProfileForm name={user.name} email={user.email} emailVerified={user.emailVerified} />
    </SettingsSection>
  );
}
