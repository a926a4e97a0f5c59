"use client";

import { useRouter } from "next/navigation";
import { useCallback, useState } from "react";
import { errorMessage } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

/** Starts a chat and opens it: the sidebar's New chat button and the keyboard shortcut alike. */
export function useNewChat(onNavigate?: () => void) {
  const { agentId, api } = useAgentWorkspace();
  const router = useRouter();
  const [creating, setCreating] = useState(false);
  const [error, setError] = useState<string>();
  const newChat = useCallback(async () => {
    setCreating(true);
    try {
      const thread = await api.createThread();
      setError(undefined);
      onNavigate?.();
      router.push(`/agents/${agentId}/threads/${thread.id}`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setCreating(false);
    }
  }, [agentId, api, onNavigate, router]);
  return { newChat, creating, error };
}
