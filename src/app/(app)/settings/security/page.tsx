import type { Metadata } from "next";
import { ChangePasswordForm } from "@/components/settings/change-password-form.tsx";
import { PasskeysPanel } from "@/components/settings/passkeys-panel.tsx";
import { SettingsSection } from "@/components/settings/section.tsx";

export const metadata: Metadata = { title: "Security" };

export default function SecuritySettingsPage() {
  return (
    <>
      <SettingsSection title="Password" description="Changing it signs you out on every other device.">
        <ChangePasswordForm />
      </SettingsSection>
      <SettingsSection title="Passkeys" description="Sign in with your fingerprint, face or security key instead of a password.">
        <PasskeysPanel />
      </SettingsSection>
    </>
  );
}
