import type { Metadata } from "next";
import { EmptyState } from "@/components/shell/empty-state.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";

export const metadata: Metadata = { title: "Settings" };

export default function SettingsPage() {
  return (
    <>
      <PageHeader title="Settings" description="Profile, security, sessions and API keys." />
      <EmptyState title="Sign in to see your settings" />
    </>
  );
}
