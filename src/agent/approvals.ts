import type { ToolSet, UIMessage } from "ai";
import { toolApprovalUpdate } from "agents/chat";
import { decisionFor, type ToolPolicy } from "../lib/agents/tool-policy.ts";
import type { ApprovalDecision, MessageAuthor, PendingApproval, TurnMetadata } from "./wire.ts";

/*
 * Tool approvals on top of the AI SDK's (`needsApproval`) and @cloudflare/ai-chat's support: a tool the policy says
 * Ask is given `needsApproval`, so the model's call ends the turn with an `approval-requested` part that the SDK
 * persists at once (it survives reload, reconnect and a runtime restart, and every tab sees it). A decision turns the
 * part into `approval-responded` (the next turn runs the tool) or `output-denied` (the model is told it was denied),
 * and is recorded in the answer's metadata with who made it, when, and the call's arguments.
 */

/** The tools the model may use under a policy: Block removes a tool, Ask makes it wait for approval. */
export function governTools(tools: ToolSet, policy: ToolPolicy, floor: ToolPolicy): ToolSet {
  const governed: ToolSet = {};
  for (const [name, tool] of Object.entries(tools)) {
    const decision = decisionFor(policy, floor, name);
    if (decision === "block") continue;
    governed[name] = decision === "ask" ? { ...tool, needsApproval: true } : tool;
  }
  return governed;
}

interface ToolPart {
  type: string;
  toolCallId: string;
  state: string;
  input?: unknown;
  approval?: { id: string; approved?: boolean };
}

function toolParts(message: UIMessage): ToolPart[] {
  return message.parts.filter((p) => p.type.startsWith("tool-") && "toolCallId" in p) as unknown as ToolPart[];
}

/** Every tool call of a thread still waiting for a decision, oldest first. */
export function pendingApprovals(messages: readonly UIMessage[]): PendingApproval[] {
  return messages.flatMap((message) =>
    toolParts(message)
      .filter((part) => part.state === "approval-requested")
      .map((part) => ({
        toolCallId: part.toolCallId,
        tool: part.type.slice("tool-".length),
        input: (part.input ?? {}) as PendingApproval["input"],
        messageId: message.id,
      })),
  );
}

export interface DecisionInput {
  toolCallId: string;
  approved: boolean;
  always?: boolean;
  by: MessageAuthor;
  at: Date;
}

/**
 * The thread's messages with one decision applied: with `apply`, the tool part moves on as the SDK's own approval
 * update moves it (over WebSocket the SDK applies it itself, so only the record is added); in both cases the
 * decision is recorded in the answer's metadata. Null when that call is not waiting for a decision.
 */
export function withDecision(messages: readonly UIMessage[], decision: DecisionInput, apply: boolean): UIMessage[] | null {
  const index = messages.findIndex((m) =>
    toolParts(m).some((p) => p.toolCallId === decision.toolCallId && p.state === "approval-requested"),
  );
  if (index < 0) return null;
  const message = messages[index]!;
  const update = toolApprovalUpdate(decision.toolCallId, decision.approved);
  const part = toolParts(message).find((p) => p.toolCallId === decision.toolCallId)!;
  const record: ApprovalDecision = {
    toolCallId: decision.toolCallId,
    tool: part.type.slice("tool-".length),
    input: part.input,
    approved: decision.approved,
    ...(decision.always && { always: true }),
    by: decision.by,
    at: decision.at.toISOString(),
  };
  const metadata = (message.metadata ?? {}) as TurnMetadata;
  const parts = apply
    ? message.parts.map((p) =>
        "toolCallId" in p && p.toolCallId === decision.toolCallId ? (update.apply(p as never) as unknown as typeof p) : p,
      )
    : message.parts;
  const next = [...messages];
  next[index] = { ...message, parts, metadata: { ...metadata, approvals: [...(metadata.approvals ?? []), record] } };
  return next;
}

/** The `cf_agent_tool_approval` frame a client sends (the SDK's wire format), or null for any other message. */
export function approvalFrame(raw: string | ArrayBuffer): { toolCallId: string; approved: boolean } | null {
  if (typeof raw !== "string" || !raw.includes("cf_agent_tool_approval")) return null;
  try {
    const frame = JSON.parse(raw) as { type?: unknown; toolCallId?: unknown; approved?: unknown };
    if (frame.type !== "cf_agent_tool_approval" || typeof frame.toolCallId !== "string" || typeof frame.approved !== "boolean") return null;
    return { toolCallId: frame.toolCallId, approved: frame.approved };
  } catch {
    return null;
  }
}
