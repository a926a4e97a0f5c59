import type { Metadata } from "next";
import { ApiKeysPanel } from "@/components/settings/api-keys-panel.tsx";
import { SettingsSection } from "@/components/settings/section.tsx";

export const metadata: Metadata = { title: "API keys" };

export default function ApiKeysSettingsPage() {
  return (
    <SettingsSection
      title="API keys"
      description="Send a key in the Authorization header (Bearer <key>) to use any /api route you can use when signed in. Revoking one stops it at once."
    >
      <ApiKeysPanel />
    </SettingsSection>
  );
}
