import type { Metadata } from "next";
import { AgentsList } from "@/components/AgentChat/agents-list.tsx";
import { currentSession } from "@/components/auth/current-session.ts";
import { PageHeader } from "@/components/shell/page-header.tsx";
import { selectedAccount } from "@/components/teams/shell-accounts.ts";

export const metadata: Metadata = { title: "Agents" };

export default async function AgentsPage() {
  const active = await currentSession();
  const selected = active ? await selectedAccount(active) : undefined;
  return (
    <>
      <PageHeader
        title="Agents"
        description={
          selected?.team
            ? `${selected.team.name}'s shared agents: members chat with them and see the same history and workspace.`
            : "Your persistent agents, each with its own memory and workspace."
        }
      />
      <AgentsList canManage={selected ? selected.permissions.includes("agents.manage") : true} />
    </>
  );
}
