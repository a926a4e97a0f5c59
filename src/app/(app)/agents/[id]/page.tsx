import type { Metadata } from "next";
import { OpenLatestThread } from "@/components/AgentChat/open-latest-thread.tsx";

export const metadata: Metadata = { title: "Agent" };

export default function AgentPage() {
  return <OpenLatestThread />;
}
