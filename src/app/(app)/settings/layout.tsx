import type { ReactNode } from "react";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { SettingsNav } from "@/components/settings/settings-nav.tsx";

export default function SettingsLayout({ children }: { children: ReactNode }) {
  return (
    <div className="max-w-3xl">
      <PageHeader title="Settings" description="Profile, security, sessions and API keys." />
      <SettingsNav />
      {children}
    </div>
  );
}
