"use client";

import { ShieldCheck } from "lucide-react";
import { useCallback, useEffect, useState } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import {
  AGENT_TOOL_NAMES,
  type AgentToolName,
  CAREFUL_POLICY,
  decisionFor,
  TOOL_DECISIONS,
  type ToolDecision,
  type ToolPolicy,
} from "@/lib/agents/tool-policy.ts";
import { type AgentInfo, errorMessage } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

const LABELS: Record<ToolDecision, string> = { allow: "Allow", ask: "Ask", block: "Block" };
const RANK: Record<ToolDecision, number> = { allow: 0, ask: 1, block: 2 };

/** Every tool's decision as the policy sets it, Allow where it says nothing. */
function fullPolicy(policy: ToolPolicy): Record<AgentToolName, ToolDecision> {
  return Object.fromEntries(AGENT_TOOL_NAMES.map((name) => [name, policy[name] ?? "allow"])) as Record<AgentToolName, ToolDecision>;
}

/**
 * The agent's tool approvals: Allow, Ask or Block per tool, the "careful" preset, and the team's floor (decisions
 * looser than the floor cannot be chosen; the server refuses them too).
 */
export function ToolApprovalsSection() {
  const { api } = useAgentWorkspace();
  const [agent, setAgent] = useState<AgentInfo | null>(null);
  const [error, setError] = useState<string>();
  const [saving, setSaving] = useState(false);

  const load = useCallback(async () => {
    try {
      setAgent(await api.get());
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load]);

  async function save(changes: ToolPolicy) {
    setSaving(true);
    try {
      const saved = await api.setToolPolicy(changes);
      setAgent((current) => (current ? { ...current, ...saved, permissions: current.permissions } : saved));
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  if (!agent) return <div className="p-4 text-sm text-muted-foreground">{error ?? "Loading…"}</div>;
  const floor = agent.toolPolicyFloor ?? {};
  const policy = fullPolicy(agent.toolPolicy);
  const canManage = agent.permissions?.includes("agents.manage") ?? true;
  const careful = fullPolicy(CAREFUL_POLICY);
  // A preset never goes below the floor: where the floor is stricter, the floor's decision is kept.
  const preset = (base: Record<AgentToolName, ToolDecision>) =>
    Object.fromEntries(AGENT_TOOL_NAMES.map((name) => [name, decisionFor({ [name]: base[name] }, floor, name)])) as ToolPolicy;

  return (
    <section className="grid gap-3 p-4" aria-labelledby="tool-approvals-title" data-testid="tool-approvals">
      <div className="flex items-center gap-2">
        <ShieldCheck className="size-4 text-muted-foreground" />
        <h2 id="tool-approvals-title" className="text-sm font-semibold">
          Tool approvals
        </h2>
      </div>
      <p className="text-xs text-muted-foreground">
        Allow runs a tool at once; Ask waits for someone to allow or deny each call, in the chat; Block hides the tool from the agent.
      </p>
      {error && <Alert variant="destructive">{error}</Alert>}
      {canManage && (
        <div className="flex flex-wrap gap-2">
          <Button size="sm" variant="outline" disabled={saving} onClick={() => void save(preset(careful))}>
            Careful
          </Button>
          <Button size="sm" variant="outline" disabled={saving} onClick={() => void save(preset(fullPolicy({})))}>
            Allow everything
          </Button>
        </div>
      )}
      <ul className="grid gap-1">
        {AGENT_TOOL_NAMES.map((name) => {
          const least = floor[name] ?? "allow";
          return (
            <li key={name} className="flex items-center gap-2 text-sm">
              <label htmlFor={`tool-policy-${name}`} className="min-w-0 flex-1 truncate font-mono text-xs">
                {name}
              </label>
              {least !== "allow" && <span className="text-[11px] text-muted-foreground">team: at least {LABELS[least]}</span>}
              <select
                id={`tool-policy-${name}`}
                className="h-8 rounded-md border bg-background px-2 text-xs"
                value={policy[name]}
                disabled={!canManage || saving}
                onChange={(event) => void save({ [name]: event.target.value as ToolDecision })}
              >
                {TOOL_DECISIONS.map((decision) => (
                  <option key={decision} value={decision} disabled={RANK[decision] < RANK[least]}>
                    {LABELS[decision]}
                  </option>
                ))}
              </select>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
