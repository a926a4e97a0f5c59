import type { UIMessage } from "ai";
import { chatThread } from "../agent/client.ts";
import { getDb } from "../db/client.ts";
import type { Env } from "../env.ts";
import { redactValue, secretValues } from "../lib/agents/secrets.ts";
import { Forbidden } from "../lib/errors.ts";
import { createShare, type ShareInfo } from "../lib/threads/shares.ts";
import type { Transcript } from "../lib/threads/transcript.ts";
import type { AgentAccess } from "./agent-access.ts";
import type { agentHub } from "./agent-access.ts";

type ThreadAccess = AgentAccess & { hub: Awaited<ReturnType<typeof agentHub>>; thread: { id: string; title: string } };

/**
 * A thread's active path as it leaves the platform (export, share): every value of the agent's secrets is redacted
 * again here, in every form the sandbox's outputs are redacted in, whatever a message or a tool result holds.
 */
export async function threadTranscript(env: Env, access: ThreadAccess): Promise<Transcript> {
  const [messages, secrets] = await Promise.all([
    (await chatThread(env, access.agent.id, access.thread.id)).getMessages() as Promise<UIMessage[]>,
    access.hub.openSecrets(),
  ]);
  // The title too: a thread is titled from its first message, secrets and all.
  const values = secretValues(secrets);
  return { title: redactValue(access.thread.title, values), messages: redactValue(messages, values) };
}

/** Shares a snapshot of the thread as it is now; a team member needs `threads.share` (403 otherwise). */
export async function shareThread(env: Env, access: ThreadAccess, now: Date): Promise<ShareInfo> {
  if (!access.account.permissions.includes("threads.share")) {
    throw new Forbidden("Your role in this team does not allow sharing threads (threads.share)");
  }
  const transcript = await threadTranscript(env, access);
  return createShare(
    getDb(env.DB),
    {
      agentId: access.agent.id,
      threadId: access.thread.id,
      accountId: access.agent.accountId,
      userId: access.caller.user.id,
      title: transcript.title,
      messages: transcript.messages,
    },
    now,
  );
}
