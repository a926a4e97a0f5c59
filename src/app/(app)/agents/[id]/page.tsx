import type { Metadata } from "next";
import { EmptyState } from "@/components/shell/empty-state.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";

export const metadata: Metadata = { title: "Agent" };

export default async function AgentPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  return (
    <>
      <PageHeader title="Agent" description={`Workspace of agent ${id}`} />
      <EmptyState title="This agent is not available">Sign in to open an agent&apos;s chat and workspace.</EmptyState>
    </>
  );
}
