import type { Metadata } from "next";
import { AgentSettings } from "@/components/AgentChat/agent-settings.tsx";

export const metadata: Metadata = { title: "Agent settings" };

/** `/agents/:id/settings`: the agent's name, model, instructions, preset and limits (the layout checks the id). */
export default function AgentSettingsPage() {
  return <AgentSettings />;
}
