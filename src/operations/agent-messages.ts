import type { UIMessage } from "ai";
import type { TurnSummary } from "../agent/wire.ts";
import type { Env } from "../env.ts";
import { THREAD_ID } from "../lib/agents/ids.ts";
import { MessageText } from "../lib/agents/schemas.ts";
import type { Caller } from "../lib/auth/caller.ts";
import { AppError, NotFound } from "../lib/errors.ts";
import { parseWith } from "../lib/http/respond.ts";
import { type AgentAccess, agentHub, authorizeAgent, chatThread } from "./agent-access.ts";
import { type StartedTurn, startTurn, turnSummary } from "./turns.ts";

/** A turn that ended with an error and no answer (the model endpoint failed, for instance). */
export class TurnFailed extends AppError {
  constructor(message: string) {
    super("turn_failed", 502, message);
  }
}

/** A message sent to an agent as a turn that has started: where it runs and how to follow it. */
export interface SentMessage {
  access: AgentAccess;
  threadId: string;
  turn: StartedTurn;
}

/**
 * Sends a message to an agent for a client of the APIs (the OpenAI-compatible API, MCP): the caller must be allowed
 * to use the agent (another account's agent answers 404), and the turn runs in the named thread, or in a new thread
 * that starts from `context` (a refused turn, 402 for instance, leaves no empty thread of its own behind). The turn
 * runs through the same path as the REST and WebSocket clients (./turns.ts).
 */
export async function sendAgentMessage(
  env: Env,
  caller: Caller,
  agentId: string,
  text: string,
  now: Date,
  options: { threadId?: string | null; context?: UIMessage[] } = {},
): Promise<SentMessage> {
  const access = await authorizeAgent(env, caller, agentId);
  const input = parseWith(MessageText, text);
  const hub = await agentHub(env, access.agent.id);
  const named = options.threadId;
  let threadId: string;
  if (named) {
    if (!THREAD_ID.test(named) || !(await hub.getThread(named))) throw new NotFound("No such thread");
    threadId = named;
  } else {
    threadId = (await hub.createThread()).id;
  }
  const turn = await startTurn(env, access, threadId, input, now, named ? [] : (options.context ?? [])).catch(async (error: unknown) => {
    if (!named) await hub.deleteThread(threadId);
    throw error;
  });
  return { access, threadId, turn };
}

/** What a sent message's turn came to once it ended: its answer, usage and credits; TurnFailed when there is no answer. */
export async function sentMessageOutcome(env: Env, sent: SentMessage): Promise<TurnSummary> {
  const { error } = await sent.turn.ended;
  const thread = await chatThread(env, sent.access.agent.id, sent.threadId);
  const summary = turnSummary(await thread.getMessages(), sent.turn.userMessageId, error);
  if (error && !summary.text) throw new TurnFailed(error);
  return summary;
}
