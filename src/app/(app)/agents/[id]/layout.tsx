import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { AgentWorkspaceShell } from "@/components/AgentChat/agent-workspace-shell.tsx";
import { currentSession } from "@/components/auth/current-session.ts";
import { AGENT_ID } from "@/lib/agents/ids.ts";

export default async function AgentLayout({ params, children }: { params: Promise<{ id: string }>; children: ReactNode }) {
  const { id } = await params;
  if (!AGENT_ID.test(id)) notFound();
  const active = await currentSession();
  return (
    <AgentWorkspaceShell agentId={id} operator={active?.user.role === "admin"} viewerId={active?.user.id ?? ""}>
      {children}
    </AgentWorkspaceShell>
  );
}
