import { z } from "zod";
import { Forbidden } from "../errors.ts";

/**
 * Tool approval policy: each of an agent's tools is Allow (runs), Ask (waits for a person's approval) or Block (the
 * model never sees it). Anything unset is Allow, so agents behave as before unless someone chose otherwise. A team's
 * owners and admins can set a floor for all its agents; an agent's effective decision is the stricter of the two, and
 * nobody can set an agent below the floor (403).
 */

/** The agent's tool names (src/agent/tools.ts checks its tool list against this one). */
export const AGENT_TOOL_NAMES = [
  "exec",
  "run_code",
  "read_file",
  "write_file",
  "list_files",
  "delete_file",
  "move_file",
  "start_process",
  "list_processes",
  "process_logs",
  "stop_process",
  "git_clone",
  "git_status",
  "git_diff",
  "git_commit",
  "remember",
  "expose_port",
  "apply_template",
  "git_push",
] as const;
export type AgentToolName = (typeof AGENT_TOOL_NAMES)[number];

export const TOOL_DECISIONS = ["allow", "ask", "block"] as const;
export type ToolDecision = (typeof TOOL_DECISIONS)[number];

/**
 * A connector's tool as the model sees it: `<connector>__<tool>` (src/lib/mcp/tool-names.ts), e.g. `github__create_issue`.
 * Its decisions live in the same policy and floor as the built-in tools'.
 */
export const CONNECTOR_TOOL_NAME = /^[a-z][a-z0-9-]{0,31}__[A-Za-z0-9_-]{1,64}$/;
export type ConnectorToolName = `${string}__${string}`;
export type PolicyToolName = AgentToolName | ConnectorToolName;

/** Only the tools that are not Allow need an entry. */
export type ToolPolicy = Partial<Record<PolicyToolName, ToolDecision>>;

const PolicyKey = z.union([
  z.enum(AGENT_TOOL_NAMES),
  z.string().regex(CONNECTOR_TOOL_NAME, "a tool name is a built-in tool or <connector>__<tool>") as z.ZodType<ConnectorToolName>,
]);

/** A policy at the API boundary: known tool names or connector tools only (anything else is a 400), each allow, ask or block. */
export const ToolPolicySchema = z
  .record(z.string(), z.enum(TOOL_DECISIONS))
  .superRefine((policy, ctx) => {
    for (const name of Object.keys(policy))
      if (!PolicyKey.safeParse(name).success) ctx.addIssue({ code: "custom", path: [name], message: `unknown tool: ${name}` });
  })
  .transform((policy) => policy as ToolPolicy);

/** The "careful" preset: ask before commands, background processes, deleting or moving files, pushing and exposing. */
export const CAREFUL_POLICY: ToolPolicy = {
  exec: "ask",
  start_process: "ask",
  delete_file: "ask",
  move_file: "ask",
  git_push: "ask",
  expose_port: "ask",
};

const STRICTNESS: Record<ToolDecision, number> = { allow: 0, ask: 1, block: 2 };

function stricter(a: ToolDecision, b: ToolDecision): ToolDecision {
  return STRICTNESS[a] >= STRICTNESS[b] ? a : b;
}

/** What happens when the model calls `tool`: the stricter of the agent's own policy and its team's floor. */
export function decisionFor(policy: ToolPolicy, floor: ToolPolicy, tool: string): ToolDecision {
  const name = tool as PolicyToolName;
  return stricter(policy[name] ?? "allow", floor[name] ?? "allow");
}

/** The tools a policy sets below the floor, e.g. git_push Allow where the team says Ask. */
export function belowFloor(policy: ToolPolicy, floor: ToolPolicy): PolicyToolName[] {
  const names = new Set<PolicyToolName>([...AGENT_TOOL_NAMES, ...(Object.keys(floor) as PolicyToolName[])]);
  return [...names].filter((name) => STRICTNESS[policy[name] ?? "allow"] < STRICTNESS[floor[name] ?? "allow"]);
}

/** Without its Allow entries (the default), so the stored form stays small and equal policies compare equal. */
export function compactPolicy(policy: ToolPolicy): ToolPolicy {
  return Object.fromEntries(Object.entries(policy).filter(([, decision]) => decision !== "allow")) as ToolPolicy;
}

/**
 * An agent's policy with `changes` applied (a tool set to Allow drops its entry). Refuses (403, nothing changed) when
 * the result would be looser than the team's floor for any tool.
 */
export function changedPolicy(current: ToolPolicy, changes: ToolPolicy, floor: ToolPolicy): ToolPolicy {
  const next = compactPolicy({ ...current, ...changes });
  const loosened = belowFloor(next, floor).filter((name) => changes[name] !== undefined);
  if (loosened.length > 0) {
    const which = loosened.map((name) => `${name} (at least ${floor[name]})`).join(", ");
    throw new Forbidden(`The team's tool approval floor does not allow this: ${which}. A team owner or admin can change the floor.`);
  }
  return next;
}

/** A policy as stored in D1 (JSON text); anything unreadable counts as no entries. */
export function readPolicy(stored: unknown): ToolPolicy {
  const value = typeof stored === "string" ? safeJson(stored) : stored;
  const parsed = ToolPolicySchema.safeParse(value ?? {});
  return parsed.success ? compactPolicy(parsed.data) : {};
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
