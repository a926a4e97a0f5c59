"use client";

import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from "@/components/ui/card.tsx";
import { Label } from "@/components/ui/label.tsx";
import { Textarea } from "@/components/ui/textarea.tsx";
import { teamPath, teamsRequest } from "./teams-api.ts";

/** The MCP servers the team's agents may connect to; owners and admins (team.settings) edit it, members read it. */
export function McpAllowlistCard({ teamId, canEdit }: { teamId: string; canEdit: boolean }) {
  const [text, setText] = useState<string | null>(null);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);

  const load = useCallback(async () => {
    try {
      const { servers } = await teamsRequest<{ servers: string[] }>(teamPath(teamId, "/mcp-allowlist"));
      setText(servers.join("\n"));
    } catch (e) {
      setError((e as Error).message);
    }
  }, [teamId]);
  useEffect(() => {
    void load();
  }, [load]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setSaved(false);
    try {
      const servers = (text ?? "").split(/\s+/).filter(Boolean);
      const stored = await teamsRequest<{ servers: string[] }>(teamPath(teamId, "/mcp-allowlist"), "PUT", { servers });
      setText(stored.servers.join("\n"));
      setSaved(true);
    } catch (e) {
      setError((e as Error).message);
    }
  }

  return (
    <Card>
      <CardHeader>
        <CardTitle>MCP servers</CardTitle>
        <CardDescription>
          The MCP servers the team&apos;s agents may use as connectors, one URL a line (a URL allows every path under it). None are allowed
          until listed here.
        </CardDescription>
      </CardHeader>
      <CardContent>
        <form onSubmit={save} className="grid gap-2">
          <Label htmlFor="mcp-allowlist">Allowed MCP servers</Label>
          <Textarea
            id="mcp-allowlist"
            value={text ?? ""}
            onChange={(e) => setText(e.target.value)}
            readOnly={!canEdit}
            placeholder="https://mcp.example.com"
            rows={3}
            className="font-mono text-xs"
          />
          {error && <Alert variant="destructive">{error}</Alert>}
          {saved && <Alert>Saved.</Alert>}
          {canEdit && (
            <Button type="submit" variant="outline" className="justify-self-start" disabled={text === null}>
              Save MCP servers
            </Button>
          )}
        </form>
      </CardContent>
    </Card>
  );
}
