"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { adminRequest } from "./admin-api.ts";

export function SessionRevokeButton({ userId, sessionId }: { userId: string; sessionId: string }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  return (
    <div className="shrink-0 text-right">
      <Button
        size="sm"
        variant="ghost"
        disabled={pending}
        onClick={async () => {
          setPending(true);
          try {
            await adminRequest(`/api/admin/users/${userId}/sessions/${sessionId}`, "DELETE");
            router.refresh();
          } catch (e) {
            setError(e instanceof Error ? e.message : String(e));
          } finally {
            setPending(false);
          }
        }}
      >
        Sign out
      </Button>
      {error && <p className="text-xs text-destructive">{error}</p>}
    </div>
  );
}
