import { agentHub, chatThread } from "../agent/client.ts";
import type { Task } from "../agent/tasks.ts";
import { getDb, type Db } from "../db/client.ts";
import type { Env } from "../env.ts";
import { auditStatement } from "../lib/admin/audit.ts";
import { agentsStoppedByBan } from "../lib/admin/bans.ts";
import { banUserRow } from "../lib/admin/users.ts";
import { findAgentById } from "../lib/agents/agents.ts";
import { THREAD_ID } from "../lib/agents/ids.ts";
import type { Caller } from "../lib/auth/caller.ts";
import { NotFound, ServiceUnavailable } from "../lib/errors.ts";
import { sandboxFor } from "../sandbox/backend.ts";
import { type Sandbox, SandboxError } from "../sandbox/types.ts";

async function existingAgent(db: Db, agentId: string) {
  const row = await findAgentById(db, agentId);
  if (!row) throw new NotFound("No such agent");
  return row;
}

/** An agent's tasks (from its Durable Object), newest first. */
export async function agentTasks(env: Env, db: Db, agentId: string): Promise<Task[]> {
  const row = await existingAgent(db, agentId);
  return (await agentHub(env, row.id)).listTasks();
}

export async function stopAgentTask(env: Env, db: Db, admin: Caller, agentId: string, taskId: string): Promise<Task> {
  const row = await existingAgent(db, agentId);
  const task = await (await agentHub(env, row.id)).stopTask(taskId);
  if (!task) throw new NotFound("No such task");
  await auditStatement(db, admin, { action: "agent.task_stopped", targetType: "agent", targetId: row.id, detail: { taskId } });
  return task;
}

/** Stops the turn running in one thread of an agent (and the tool calls it started). */
export async function stopAgentTurn(env: Env, db: Db, admin: Caller, agentId: string, threadId: string): Promise<void> {
  const row = await existingAgent(db, agentId);
  if (!THREAD_ID.test(threadId)) throw new NotFound("No such thread");
  await (await chatThread(env, row.id, threadId)).stop();
  await auditStatement(db, admin, { action: "agent.turn_stopped", targetType: "agent", targetId: row.id, detail: { threadId } });
}

/** Stops every running task of these agents (used when their owner is banned). */
export async function stopRunningTasks(env: Env, agentIds: string[]): Promise<number> {
  let stopped = 0;
  for (const id of agentIds) {
    try {
      const hub = await agentHub(env, id);
      for (const task of await hub.listTasks()) {
        if (task.status === "running" && (await hub.stopTask(task.id))) stopped++;
      }
    } catch (error) {
      console.error("Could not stop the tasks of agent", id, error);
    }
  }
  return stopped;
}

/**
 * Stops everything the sandboxes of these agents run (background processes, commands, network) and closes their
 * previews; files stay. A Worker without a sandbox backend has nothing to stop. Every agent is tried; then any
 * failure is a 503 that says the rest was done and a retry is safe.
 */
export async function stopSandboxes(env: Env, agentIds: string[]): Promise<{ processesStopped: number; previewsClosed: number }> {
  const total = { processesStopped: 0, previewsClosed: 0 };
  let sandbox: Sandbox;
  try {
    sandbox = sandboxFor(env);
  } catch (error) {
    if (error instanceof SandboxError && error.code === "not_configured") return total;
    throw error;
  }
  const results = await Promise.allSettled(agentIds.map((id) => sandbox.stop(id, { closePreviews: true })));
  const failed: unknown[] = [];
  for (const result of results) {
    if (result.status === "rejected") failed.push(result.reason);
    else {
      total.processesStopped += result.value.processesStopped;
      total.previewsClosed += result.value.previewsClosed;
    }
  }
  if (failed.length > 0) {
    console.error("Could not stop the sandboxes of a banned user's agents", failed);
    const reason = failed[0] instanceof Error ? failed[0].message : String(failed[0]);
    throw new ServiceUnavailable(
      `The user is banned, but the sandboxes of ${failed.length} of their agents could not be stopped (${reason}). Ban again to retry.`,
    );
  }
  return total;
}

/**
 * Bans a user: the flag, their sessions and the audit entry in one batch (sessions and API keys are refused from the
 * next request on), then their running tasks stop, and so does everything the sandboxes of their agents run (their
 * personal account's and those of teams they alone own, src/lib/admin/bans.ts), previews included, before this
 * returns.
 */
export async function banUser(
  env: Env,
  admin: Caller,
  userId: string,
  input: { reason: string; expiresAt?: Date },
): Promise<{ tasksStopped: number; processesStopped: number; previewsClosed: number }> {
  const db = getDb(env.DB);
  await banUserRow(db, admin, userId, input);
  const agentIds = (await agentsStoppedByBan(db, userId)).map((a) => a.id);
  const tasksStopped = await stopRunningTasks(env, agentIds);
  return { tasksStopped, ...(await stopSandboxes(env, agentIds)) };
}
