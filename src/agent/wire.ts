/**
 * What goes over the wire between an agent and its clients. Over WebSocket the SDK's chat protocol carries AI SDK
 * UI message chunks (text-delta, reasoning-delta, tool-input-available, tool-output-available, finish...) in
 * `cf_agent_use_chat_response` frames; the SSE form of POST /api/agent/:id/threads/:tid/messages sends the same
 * chunks as `data:` lines and ends with `data: [DONE]`.
 */

/** The chat protocol's frame types (`cf_agent_use_chat_request`, `cf_agent_use_chat_response`...), from @cloudflare/ai-chat. */
export { MessageType as ChatMessageType } from "@cloudflare/ai-chat/types";
/** The Agents SDK's own frame types (`cf_agent_state`, `rpc`...), sent by every agent. */
export { MessageType as AgentMessageType } from "agents/types";

/** The first words a user reads when the model cannot answer: plain, with nothing about server configuration. */
export const MODEL_NOT_ANSWERING = "The model is not answering; try again shortly.";

/** Metadata on an assistant message: the turn's usage and cost, or why it did not run. */
/** Who sent a user message: set by the server from the sender's credential (src/agent/chat-request.ts). */
export interface MessageAuthor {
  id: string;
  name: string;
}

/** A user message's metadata. */
export interface UserMessageMetadata {
  author?: MessageAuthor;
}

export interface TurnMetadata {
  usage?: { inputTokens: number; outputTokens: number };
  credits?: number;
  error?: "insufficient_credits" | "unavailable";
  interrupted?: boolean;
  /** Its user stopped it (the stop button or the API): credits and usage are what was charged until then. */
  stopped?: boolean;
  /** The loop breaker paused it (src/agent/loop-breaker.ts): what repeated, and the credits its repeats gave back. */
  loop?: { kind: "same_call" | "same_error"; repeats: number; what: string; refundedCredits: number };
  /** It stopped at its agent's per-turn credit cap (src/agent/metering.ts): the cap, in credits. */
  turnCap?: { credits: number };
  /** The decisions people made on this answer's tool calls that waited for approval (src/agent/approvals.ts). */
  approvals?: ApprovalDecision[];
}

/** One decision on a tool call that waited for approval: who, when, on which call with which arguments. */
export interface ApprovalDecision {
  toolCallId: string;
  tool: string;
  input: unknown;
  approved: boolean;
  /** The decider also set the agent's policy for this tool to Allow. */
  always?: boolean;
  by: MessageAuthor;
  /** ISO time. */
  at: string;
}

/** A tool call waiting for a person's approval, as the REST answers show it. */
export interface PendingApproval {
  toolCallId: string;
  tool: string;
  /** The call's exact arguments (a JSON object). */
  input: Record<string, string | number | boolean | null | object>;
  messageId: string;
}

export interface TurnToolCall {
  id: string;
  name: string;
  input: unknown;
  output: unknown;
  error?: string;
  state: string;
}

/** The JSON answer of a turn (Accept: application/json). */
export interface TurnSummary {
  messageId: string | null;
  text: string;
  toolCalls: TurnToolCall[];
  usage: { inputTokens: number; outputTokens: number };
  credits: number;
  error?: string;
  /** Tool calls of this answer waiting for approval (POST .../approvals decides them); absent when there are none. */
  pendingApprovals?: PendingApproval[];
}
