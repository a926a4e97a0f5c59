import type { Metadata } from "next";
import { SettingsSection } from "@/components/settings/section.tsx";
import { SessionsPanel } from "@/components/settings/sessions-panel.tsx";

export const metadata: Metadata = { title: "Sessions" };

export default function SessionsSettingsPage() {
  return (
    <SettingsSection title="Sessions" description="Where you are signed in. Signing a session out takes effect at once.">
      <SessionsPanel />
    </SettingsSection>
  );
}
