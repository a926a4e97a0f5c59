import type { Metadata } from "next";
import { EmptyState } from "@/components/shell/empty-state.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";

export const metadata: Metadata = { title: "Agents" };

export default function AgentsPage() {
  return (
    <>
      <PageHeader title="Agents" description="Your persistent agents, each with its own memory and workspace." />
      <EmptyState title="No agents yet">Once you sign in, your default agent appears here.</EmptyState>
    </>
  );
}
