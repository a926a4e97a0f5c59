"use client";

import { Plug, Plus, Trash2 } from "lucide-react";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { useConfirm } from "@/components/ui/confirm-dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { decisionFor, TOOL_DECISIONS, type PolicyToolName, type ToolDecision, type ToolPolicy } from "@/lib/agents/tool-policy.ts";
import type { ConnectorAuth, ConnectorView } from "@/lib/mcp/connectors.ts";
import type { ConnectorToolsView } from "@/lib/mcp/connector-tools.ts";
import { errorMessage, request, requestJson } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

const STATUS_LABEL: Record<ConnectorView["status"], string> = {
  ready: "Ready",
  connected: "Connected",
  connect_to_use: "Connect to use",
  not_allowed: "Not allowed by the team",
};

/** The agent's tool policy and the team's floor, and how to change one tool's decision (agents.manage). */
interface Approvals {
  policy: ToolPolicy;
  floor: ToolPolicy;
  canManage: boolean;
  set(tool: string, decision: ToolDecision): Promise<void>;
}

const DECISION_LABEL: Record<ToolDecision, string> = { allow: "Allow", ask: "Ask", block: "Block" };
const RANK: Record<ToolDecision, number> = { allow: 0, ask: 1, block: 2 };

function ConnectorTools({ base, connector, approvals }: { base: string; connector: ConnectorView; approvals: Approvals | null }) {
  const [view, setView] = useState<ConnectorToolsView | null>(null);
  const [error, setError] = useState<string>();
  useEffect(() => {
    let live = true;
    requestJson<ConnectorToolsView>(`${base}/${connector.id}/tools`)
      .then((next) => live && setView(next))
      .catch((e: unknown) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [base, connector.id]);
  if (error || view?.error) return <p className="text-xs text-destructive">{error ?? view?.error}</p>;
  if (!view) return <p className="text-xs text-muted-foreground">Listing tools…</p>;
  if (view.tools.length === 0) return <p className="text-xs text-muted-foreground">No tools.</p>;
  return (
    <ul className="mt-1 grid gap-1" aria-label={`Tools of ${connector.name}`}>
      {view.tools.map((tool) => {
        const least = approvals?.floor[tool.name as PolicyToolName] ?? "allow";
        return (
          <li key={tool.name} title={tool.description} className="flex items-center gap-2">
            <Badge className="font-mono text-[11px]">{tool.name}</Badge>
            <span className="min-w-0 flex-1 truncate text-[11px] text-muted-foreground">{tool.description}</span>
            {approvals && (
              <select
                aria-label={`Approval for ${tool.name}`}
                className="h-7 rounded-md border bg-background px-1 text-xs"
                value={decisionFor(approvals.policy, approvals.floor, tool.name)}
                disabled={!approvals.canManage}
                onChange={(event) => void approvals.set(tool.name, event.target.value as ToolDecision)}
              >
                {TOOL_DECISIONS.map((decision) => (
                  <option key={decision} value={decision} disabled={RANK[decision] < RANK[least]}>
                    {DECISION_LABEL[decision]}
                  </option>
                ))}
              </select>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function ConnectorRow({
  base,
  connector,
  canManage,
  approvals,
  onChanged,
  onError,
}: {
  base: string;
  connector: ConnectorView;
  canManage: boolean;
  approvals: Approvals | null;
  onChanged: () => Promise<void>;
  onError: (message: string) => void;
}) {
  const [token, setToken] = useState("");
  const [busy, setBusy] = useState(false);
  const [confirm, confirmDialog] = useConfirm();
  const usable = connector.status === "ready" || connector.status === "connected";

  async function run(action: () => Promise<void>) {
    setBusy(true);
    try {
      await action();
    } catch (e) {
      onError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  const signIn = () =>
    run(async () => {
      const { authorizationUrl } = await requestJson<{ authorizationUrl: string }>(`${base}/${connector.id}/oauth`, { method: "POST" });
      window.location.assign(authorizationUrl);
    });
  const connectWithToken = (event: FormEvent) => {
    event.preventDefault();
    if (!token.trim()) return onError("Enter your token.");
    return run(async () => {
      await request(`${base}/${connector.id}/connection`, { method: "PUT", body: JSON.stringify({ token }) });
      setToken("");
      await onChanged();
    });
  };
  const disconnect = () =>
    run(async () => {
      await request(`${base}/${connector.id}/connection`, { method: "DELETE" });
      await onChanged();
    });
  const remove = async () => {
    const yes = await confirm({
      title: `Remove the connector ${connector.name}?`,
      description: "Its tools leave the agent at once, and every member's connection to it is deleted.",
      confirmLabel: "Remove connector",
    });
    if (yes)
      await run(async () => {
        await request(`${base}/${connector.id}`, { method: "DELETE" });
        await onChanged();
      });
  };

  return (
    <li className="py-2" aria-label={`Connector ${connector.name}`}>
      {confirmDialog}
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-mono text-xs font-medium">{connector.name}</span>
        <Badge className={usable ? "text-foreground" : undefined}>{STATUS_LABEL[connector.status]}</Badge>
        <span className="min-w-0 flex-1 truncate font-mono text-[11px] text-muted-foreground">{connector.url}</span>
        {connector.auth === "oauth" && connector.status !== "not_allowed" && (
          <Button size="sm" variant="outline" disabled={busy} onClick={() => void signIn()}>
            {connector.status === "connected" ? "Reconnect" : `Connect ${connector.name}`}
          </Button>
        )}
        {connector.status === "connected" && (
          <Button size="sm" variant="ghost" disabled={busy} onClick={() => void disconnect()}>
            Disconnect
          </Button>
        )}
        {canManage && (
          <Button
            variant="ghost"
            size="icon"
            className="size-7"
            aria-label={`Remove connector ${connector.name}`}
            disabled={busy}
            onClick={() => void remove()}
          >
            <Trash2 />
          </Button>
        )}
      </div>
      {connector.auth === "header" && connector.status === "connect_to_use" && (
        <form onSubmit={connectWithToken} className="mt-1 flex gap-2">
          <Input
            type="password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            placeholder={`your token (${connector.headerName ?? "Authorization"})`}
            aria-label={`Your token for ${connector.name}`}
            autoComplete="off"
            className="min-w-0 flex-1"
          />
          <Button type="submit" size="sm" variant="outline" disabled={busy}>
            Connect
          </Button>
        </form>
      )}
      {usable && <ConnectorTools base={base} connector={connector} approvals={approvals} />}
    </li>
  );
}

/**
 * MCP connectors of the agent: each member connects with their own credential (a token or a sign-in), which is never
 * shown again and used only for their own turns; their tools reach the model as `<connector>__<tool>`.
 */
export function ConnectorsSection() {
  const { agentId, agent, api } = useAgentWorkspace();
  const base = `/api/agent/${agentId}/connectors`;
  const canManage = agent?.permissions?.includes("agents.manage") ?? true;
  const [connectors, setConnectors] = useState<ConnectorView[] | null>(null);
  const [name, setName] = useState("");
  const [url, setUrl] = useState("");
  const [auth, setAuth] = useState<ConnectorAuth>("oauth");
  const [token, setToken] = useState("");
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [policy, setPolicy] = useState<{ policy: ToolPolicy; floor: ToolPolicy } | null>(null);

  const load = useCallback(async () => {
    try {
      setConnectors((await requestJson<{ connectors: ConnectorView[] }>(base)).connectors);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [base]);
  useEffect(() => {
    void load();
    api
      .get()
      .then((info) => setPolicy({ policy: info.toolPolicy, floor: info.toolPolicyFloor ?? {} }))
      .catch((e: unknown) => setError(errorMessage(e)));
    const params = new URLSearchParams(window.location.search);
    if (params.get("connected") === "1" && params.get("connector")) setNotice(`Connected ${params.get("connector")}.`);
    const failed = params.get("connector_error");
    if (failed) setError(`${params.get("connector") ?? "The connector"}: ${failed}`);
  }, [load, api]);

  const approvals: Approvals | null = policy && {
    ...policy,
    canManage,
    async set(tool, decision) {
      try {
        const saved = await api.setToolPolicy({ [tool as PolicyToolName]: decision });
        setPolicy((current) => ({ policy: saved.toolPolicy, floor: current?.floor ?? {} }));
      } catch (e) {
        setError(errorMessage(e));
      }
    },
  };

  async function add(event: FormEvent) {
    event.preventDefault();
    try {
      await requestJson(base, {
        method: "POST",
        body: JSON.stringify({ name: name.trim(), url: url.trim(), auth, ...(auth === "header" && token && { token }) }),
      });
      setName("");
      setUrl("");
      setToken("");
      setError(undefined);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <section className="p-3" aria-label="Connectors">
      <h3 className="flex items-center gap-1.5 text-sm font-semibold">
        <Plug className="size-4" /> Connectors
      </h3>
      <p className="mb-2 text-xs text-muted-foreground">
        MCP servers whose tools the agent can use, named <span className="font-mono">connector__tool</span> and governed by the tool
        approvals. Everyone connects with their own token or sign-in; it is never shown again and used only in their own turns.
      </p>
      {canManage && (
        <form onSubmit={add} className="flex flex-wrap gap-2" aria-label="Add a connector">
          <Input
            value={name}
            onChange={(e) => setName(e.target.value.toLowerCase())}
            placeholder="name"
            aria-label="Connector name"
            className="w-32 font-mono"
          />
          <Input
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://mcp.example.com/mcp"
            aria-label="MCP server URL"
            className="min-w-0 flex-1"
          />
          <select
            value={auth}
            onChange={(e) => setAuth(e.target.value as ConnectorAuth)}
            aria-label="Sign-in"
            className="h-9 rounded-md border bg-background px-2 text-sm"
          >
            <option value="oauth">OAuth sign-in</option>
            <option value="header">Token</option>
            <option value="none">None</option>
          </select>
          {auth === "header" && (
            <Input
              type="password"
              value={token}
              onChange={(e) => setToken(e.target.value)}
              placeholder="your token"
              aria-label="Your token"
              autoComplete="off"
              className="w-full"
            />
          )}
          <Button type="submit" variant="outline">
            <Plus /> Add connector
          </Button>
        </form>
      )}
      {notice && (
        <Alert className="mt-2" role="status">
          {notice}
        </Alert>
      )}
      {error && (
        <Alert variant="destructive" className="mt-2">
          {error}
        </Alert>
      )}
      {connectors === null && !error && <p className="mt-2 text-xs text-muted-foreground">Loading…</p>}
      {connectors?.length === 0 && <p className="mt-2 text-xs text-muted-foreground">No connectors.</p>}
      <ul className="mt-2 divide-y" aria-label="Connectors of the agent">
        {connectors?.map((connector) => (
          <ConnectorRow
            key={connector.id}
            base={base}
            connector={connector}
            canManage={canManage}
            approvals={approvals}
            onChanged={load}
            onError={(message) => setError(message)}
          />
        ))}
      </ul>
    </section>
  );
}
