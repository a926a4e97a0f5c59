"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Input } from "@/components/ui/input.tsx";
import { Label } from "@/components/ui/label.tsx";
import type { AccountLimits } from "@/lib/agents/account-limits.ts";
import { adminRequest } from "./admin-api.ts";

/** The caps of a user's personal account; an empty field means the default. */
export function UserLimits({ userId, limits, defaults }: { userId: string; limits: AccountLimits; defaults: AccountLimits }) {
  const router = useRouter();
  const [maxAgents, setMaxAgents] = useState(limits.custom.maxAgents?.toString() ?? "");
  const [maxLive, setMaxLive] = useState(limits.custom.maxLiveWorkspaces?.toString() ?? "");
  const [pending, setPending] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    setMessage(null);
    const value = (text: string) => (text.trim() === "" ? null : Number(text));
    try {
      const result = await adminRequest<{ limits: AccountLimits }>(`/api/admin/users/${userId}/limits`, "PUT", {
        maxAgents: value(maxAgents),
        maxLiveWorkspaces: value(maxLive),
      });
      setMessage({
        ok: true,
        text: `Saved: ${result.limits.maxAgents} agents, ${result.limits.maxLiveWorkspaces} live workspaces at once.`,
      });
      router.refresh();
    } catch (error) {
      setMessage({ ok: false, text: error instanceof Error ? error.message : String(error) });
    } finally {
      setPending(false);
    }
  };

  return (
    <form onSubmit={save} className="space-y-3" data-testid="user-limits">
      <div className="flex flex-wrap gap-4">
        <div className="space-y-1">
          <Label htmlFor="limit-agents">Agents</Label>
          <Input
            id="limit-agents"
            className="w-32"
            inputMode="numeric"
            value={maxAgents}
            onChange={(e) => setMaxAgents(e.target.value)}
            placeholder={`default ${defaults.maxAgents}`}
          />
        </div>
        <div className="space-y-1">
          <Label htmlFor="limit-live">Live workspaces</Label>
          <Input
            id="limit-live"
            className="w-32"
            inputMode="numeric"
            value={maxLive}
            onChange={(e) => setMaxLive(e.target.value)}
            placeholder={`default ${defaults.maxLiveWorkspaces}`}
          />
        </div>
      </div>
      <p className="text-muted-foreground">
        {`Now ${limits.maxAgents} agents and ${limits.maxLiveWorkspaces} live workspaces at once. Leave a field empty for the default.`}
      </p>
      <Button type="submit" variant="outline" disabled={pending}>
        Save limits
      </Button>
      {message && (
        <p role="status" className={message.ok ? "text-muted-foreground" : "text-destructive"}>
          {message.text}
        </p>
      )}
    </form>
  );
}
