"use client";

import { Loader2 } from "lucide-react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { errorMessage } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

/** `/agents/:id` opens the most recent chat, or starts the first one. */
export function OpenLatestThread() {
  const { agentId, api } = useAgentWorkspace();
  const router = useRouter();
  const [error, setError] = useState<string>();
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const threads = await api.threads();
        const target = threads[0] ?? (await api.createThread());
        if (!cancelled) router.replace(`/agents/${agentId}/threads/${target.id}`);
      } catch (e) {
        if (!cancelled) setError(errorMessage(e));
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [agentId, api, router]);
  return (
    <div className="flex flex-1 items-center justify-center p-6">
      {error ? (
        <Alert variant="destructive">Could not open a chat: {error}</Alert>
      ) : (
        <p className="flex items-center gap-2 text-sm text-muted-foreground" role="status">
          <Loader2 className="size-4 animate-spin" /> Opening the latest chat…
        </p>
      )}
    </div>
  );
}
