"use client";

import { Loader2, Monitor } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { apiFetch } from "@/components/auth/auth-client.ts";
import { Alert } from "@/components/ui/alert.tsx";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { formatTime } from "./format.ts";
import type { SessionSummary } from "@/lib/auth/sessions.ts";

type SessionRow = SessionSummary;

export function SessionsPanel() {
  const [sessions, setSessions] = useState<SessionRow[] | null>(null);
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setSessions((await apiFetch<{ sessions: SessionRow[] }>("/api/sessions")).sessions);
    } catch (e) {
      setError((e as Error).message);
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  async function revoke(id: string | "others") {
    setPending(id);
    setError(undefined);
    try {
      await apiFetch(id === "others" ? "/api/sessions" : `/api/sessions/${encodeURIComponent(id)}`, { method: "DELETE" });
      await load();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setPending(null);
    }
  }

  const others = sessions?.filter((s) => !s.current).length ?? 0;
  return (
    <div className="grid gap-4">
      {error && <Alert variant="destructive">{error}</Alert>}
      {sessions === null ? (
        <p className="text-sm text-muted-foreground">Loading sessions…</p>
      ) : (
        <ul className="divide-y rounded-md border" aria-label="Sessions">
          {sessions.map((s) => (
            <li key={s.id} className="flex flex-wrap items-center gap-3 px-3 py-3 text-sm" data-testid="session-row">
              <Monitor className="size-4 shrink-0 text-muted-foreground" />
              <div className="min-w-0 flex-1">
                <p className="flex flex-wrap items-center gap-2 font-medium">
                  {s.device}
                  {s.current && <Badge>This device</Badge>}
                </p>
                <p className="text-xs text-muted-foreground">
                  IP {s.ipAddress ?? "unknown"} · signed in {formatTime(s.createdAt)} · last seen {formatTime(s.lastSeenAt)}
                </p>
              </div>
              {!s.current && (
                <Button
                  variant="outline"
                  size="sm"
                  onClick={() => revoke(s.id)}
                  disabled={pending !== null}
                  aria-label={`Sign out ${s.device}`}
                >
                  {pending === s.id && <Loader2 className="animate-spin" />}
                  Sign out
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      <div>
        <Button variant="outline" onClick={() => revoke("others")} disabled={pending !== null || others === 0}>
          {pending === "others" && <Loader2 className="animate-spin" />}
          Sign out all other sessions
        </Button>
      </div>
    </div>
  );
}
