import type { Metadata } from "next";
import { EmptyState } from "@/components/shell/empty-state.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";

export const metadata: Metadata = { title: "Team" };

export default function TeamPage() {
  return (
    <>
      <PageHeader title="Team" description="Teams share agents and credits, with roles." />
      <EmptyState title="Sign in to see your team" />
    </>
  );
}
