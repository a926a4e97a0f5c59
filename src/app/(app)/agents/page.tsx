import type { Metadata } from "next";
import { AgentsList } from "@/components/AgentChat/agents-list.tsx";
import { PageHeader } from "@/components/shell/page-header.tsx";

export const metadata: Metadata = { title: "Agents" };

export default function AgentsPage() {
  return (
    <>
      <PageHeader title="Agents" description="Your persistent agents, each with its own memory and workspace." />
      <AgentsList />
    </>
  );
}
