import { chatThread } from "../agent/client.ts";
import type { ThreadHistory } from "../agent/chat-thread.ts";
import type { Env } from "../env.ts";
import { Conflict } from "../lib/errors.ts";
import type { AgentAccess } from "./agent-access.ts";
import { branchRefusal } from "./turns.ts";

/** Refuses (409) changing a thread's history while its turn runs (the hub's view; the thread checks its own too). */
export function assertIdle(thread: { running: boolean }): void {
  if (thread.running) throw new Conflict("A turn is running in this thread; stop it or wait until it ends");
}

/** Switches the active version of a fork (src/agent/thread-branches.ts); the history after the switch. */
export async function switchBranch(
  env: Env,
  access: AgentAccess & { thread: { running: boolean } },
  threadId: string,
  target: { parentId: string | null; index: number },
): Promise<ThreadHistory> {
  assertIdle(access.thread);
  const thread = await chatThread(env, access.agent.id, threadId);
  const switched = await thread.switchBranch(target);
  if (switched.refused !== null) throw branchRefusal(switched.refused);
  return (await thread.history()) as ThreadHistory;
}
