import type { Connection } from "agents";
import type { Env } from "../env.ts";
import { ChatThread as ChatThreadBase } from "./chat-thread.ts";
import { credentialTags, recheckCredentialOnEachMessage } from "./connection-auth.ts";

/**
 * The thread Durable Object as the Worker exports it: ./chat-thread.ts plus the WebSocket re-check that AgentHub
 * does too, so a chat open in a browser stops at its next message once the session, key or user is revoked.
 */
export class ChatThread extends ChatThreadBase {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Every message of a WebSocket re-checks the credential that opened it (./connection-auth.ts).
    recheckCredentialOnEachMessage(this, ctx, env);
  }

  getConnectionTags(_connection: Connection, context: { request: Request }): string[] {
    return credentialTags(context.request);
  }
}
