import type { Env } from "../env.ts";
import type { UIMessage } from "ai";
import { activeCredentialOwner, type CredentialOwner } from "../lib/auth/live-credential.ts";
import { readChatRequest, stampRequestAuthors } from "./chat-request.ts";

/**
 * Set by the /ws/ route (src/worker/agent-auth.ts) on the request it forwards to an agent, naming the credential
 * that authorized it; a client's own header of that name is dropped before.
 */
export const CREDENTIAL_HEADER = "x-netm8-credential";
const TAG_PREFIX = "credential:";
/** The close code a WebSocket gets when its session was revoked, its API key deleted or its user banned. */
export const REVOKED_CLOSE_CODE = 4001;

/** The hibernation tags that remember which credential opened a WebSocket. */
export function credentialTags(request: Request): string[] {
  const credential = request.headers.get(CREDENTIAL_HEADER);
  return credential ? [`${TAG_PREFIX}${credential}`] : [];
}

/**
 * Whether a WebSocket may still be used: its credential is checked again on every message, so a ban or a revoked
 * session or key stops an open chat at its next message, not only new connections. A socket without a credential
 * tag is closed too; the browser reconnects through the /ws/ route, which checks and tags it.
 */
export async function socketStillAuthorized(env: Env, tags: string[]): Promise<boolean> {
  return (await socketOwner(env, tags)) !== null;
}

/** The user whose still-valid credential opened the WebSocket, or null when it no longer stands. */
export async function socketOwner(env: Env, tags: string[]): Promise<CredentialOwner | null> {
  const credential = tags.find((t) => t.startsWith(TAG_PREFIX))?.slice(TAG_PREFIX.length);
  return credential ? activeCredentialOwner(env.DB, credential) : null;
}

export function closeRevokedSocket(ws: WebSocket): void {
  try {
    ws.close(REVOKED_CLOSE_CODE, "Signed out: sign in again");
  } catch {
    // Already closing.
  }
}

/**
 * A client's echo of the history (the SDK's `cf_agent_chat_messages` frame) that names a message the thread does not
 * hold: the history grows only by turns, and an echo sent just before an edit, regeneration or branch switch
 * (src/agent/thread-branches.ts) would otherwise bring back the messages that change set aside.
 */
export function echoAddsMessages(raw: string | ArrayBuffer, stored: readonly UIMessage[]): boolean {
  if (typeof raw !== "string" || !raw.includes(ECHO_TYPE)) return false;
  let frame: { type?: unknown; messages?: unknown };
  try {
    frame = JSON.parse(raw);
  } catch {
    return false;
  }
  if (frame?.type !== ECHO_TYPE || !Array.isArray(frame.messages)) return false;
  const known = new Set(stored.map((m) => m.id));
  return frame.messages.some((m: { id?: unknown }) => !known.has(m?.id as string));
}
const ECHO_TYPE = "cf_agent_chat_messages";

type SocketHandler = (ws: WebSocket, message: string | ArrayBuffer) => Promise<void>;

export interface MessageHooks {
  /**
   * A valid chat request arrived: called before its credential is checked, so the agent can start reading what the
   * turn will need (read-only) in the same wait. Nothing it reads reaches anyone unless the check then passes.
   */
  onChatRequest?(requestId: string): void;
  /** Sees a tool approval first, with who sent it; returns true when it handled it (the SDK then never sees it). */
  onToolApproval?(raw: string, owner: CredentialOwner): Promise<boolean>;
}

/**
 * Wraps an agent's WebSocket message handler so every message first re-checks its socket's credential (and a chat
 * request its message, ./chat-request.ts). Called in
 * the constructor: the Agents SDK installs `webSocketMessage` on the instance there, and only when the class does
 * not define one itself (so a prototype override would replace the SDK's dispatch instead of wrapping it).
 */
export function recheckCredentialOnEachMessage(agent: object, ctx: DurableObjectState, env: Env, hooks: MessageHooks = {}): void {
  const dispatch = (agent as unknown as { webSocketMessage?: SocketHandler }).webSocketMessage;
  if (!dispatch) throw new Error("the Agents SDK installed no webSocketMessage handler");
  const guarded: SocketHandler = async (ws, message) => {
    // A chat request is validated like the REST turn's body before the SDK stores any of it.
    const request = readChatRequest(message);
    if (request?.refusal === null) hooks.onChatRequest?.(request.requestId);
    const owner = await socketOwner(env, ctx.getTags(ws));
    if (!owner) return closeRevokedSocket(ws);
    if (!request) {
      const stored = (agent as { messages?: UIMessage[] }).messages;
      if (stored && echoAddsMessages(message, stored)) return;
      if (hooks.onToolApproval && typeof message === "string" && (await hooks.onToolApproval(message, owner))) return;
      return dispatch(ws, message);
    }
    if (request.refusal !== null) return ws.send(request.refusal);
    // Its new message is stamped with who sent it, so a team's shared thread shows each message's author.
    const stored = (agent as { messages?: UIMessage[] }).messages ?? [];
    await dispatch(ws, stampRequestAuthors(request, owner, stored));
  };
  Object.defineProperty(agent, "webSocketMessage", { value: guarded, configurable: true });
}
