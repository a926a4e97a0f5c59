import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { ThreadChat } from "@/components/AgentChat/thread-chat.tsx";
import { THREAD_ID } from "@/lib/agents/ids.ts";

export const metadata: Metadata = { title: "Chat" };

export default async function ThreadPage({ params }: { params: Promise<{ id: string; tid: string }> }) {
  const { tid } = await params;
  if (!THREAD_ID.test(tid)) notFound();
  return <ThreadChat key={tid} threadId={tid} />;
}
