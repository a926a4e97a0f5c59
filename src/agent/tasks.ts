import { z } from "zod";
import { DEFAULT_TASK_CREDITS, MAX_CREDIT_LIMIT } from "../lib/agents/credit-limits.ts";
import { fromCredits, toCredits } from "../lib/billing/rules.ts";
import type { SqlTag as Sql } from "./sql-migrations.ts";

/**
 * Autonomous tasks: a goal worked on step by step in a thread of its own, without anyone connected. The agent's
 * Durable Object (AgentHub) owns the task rows; after every step the row is the checkpoint the task resumes from.
 */

export type TaskStatus = "running" | "paused" | "completed" | "stopped" | "failed";
/**
 * Why a task ended: the model finished, a budget ran out, the account ran dry, the owner stopped it, or an error;
 * or why it is paused: the loop breaker saw it repeat itself (./loop-breaker.ts), or a tool call waits for approval
 * (./approvals.ts).
 */
export type TaskEndReason = "done" | "step_budget" | "credit_budget" | "no_credits" | "stopped" | "error" | "loop" | "approval";

export interface TaskReport {
  /** What was done: the agent's own final report, or what the platform can say when a budget stopped it. */
  summary: string;
  filesChanged: string[];
  /** What is left to do ("" when the agent reported the goal as done). */
  left: string;
}

export interface Task {
  id: string;
  goal: string;
  threadId: string;
  status: TaskStatus;
  endReason: TaskEndReason | null;
  stepBudget: number;
  stepsUsed: number;
  creditBudget: number;
  creditsUsed: number;
  notify: boolean;
  scheduleId: string | null;
  report: TaskReport | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export const DEFAULT_TASK_STEPS = 20;
export const MAX_TASK_STEPS = 500;
export { DEFAULT_TASK_CREDITS };

export const TaskInput = z.object({
  goal: z.string().trim().min(1, "goal must not be empty").max(20_000),
  stepBudget: z.number().int().min(1).max(MAX_TASK_STEPS).default(DEFAULT_TASK_STEPS),
  /** Absent: the agent's task budget (src/lib/agents/credit-limits.ts), resolved by the caller before the task starts. */
  creditBudget: z.number().positive().max(MAX_CREDIT_LIMIT).optional(),
  /** Email the agent's owner when the task finishes or fails. */
  notify: z.boolean().default(true),
});
export type TaskInput = z.infer<typeof TaskInput>;

/** What one step of a task came to, as the task's thread reports it. */
export interface TaskStepResult {
  outcome: "tool_calls" | "final" | "credit_budget" | "no_credits" | "aborted" | "error" | "loop" | "approval";
  text: string;
  error?: string;
}

export interface TaskRow {
  id: string;
  goal: string;
  thread_id: string;
  status: TaskStatus;
  end_reason: TaskEndReason | null;
  step_budget: number;
  steps_used: number;
  credit_budget_mc: number;
  spent_mc: number;
  notify: number;
  schedule_id: string | null;
  report: string | null;
  error: string | null;
  created_at: number;
  updated_at: number;
  finished_at: number | null;
}

export function taskFromRow(row: TaskRow): Task {
  return {
    id: row.id,
    goal: row.goal,
    threadId: row.thread_id,
    status: row.status,
    endReason: row.end_reason,
    stepBudget: row.step_budget,
    stepsUsed: row.steps_used,
    creditBudget: toCredits(row.credit_budget_mc),
    creditsUsed: toCredits(row.spent_mc),
    notify: row.notify === 1,
    scheduleId: row.schedule_id,
    report: row.report ? (JSON.parse(row.report) as TaskReport) : null,
    error: row.error,
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    finishedAt: row.finished_at ? new Date(row.finished_at).toISOString() : null,
  };
}

export function insertTask(sql: Sql, input: TaskInput & { id: string; threadId: string; scheduleId?: string | null }, now: number): void {
  sql`INSERT INTO task (id, goal, thread_id, status, step_budget, credit_budget_mc, notify, schedule_id, created_at, updated_at)
      VALUES (${input.id}, ${input.goal}, ${input.threadId}, 'running', ${input.stepBudget}, ${fromCredits(input.creditBudget ?? DEFAULT_TASK_CREDITS)},
              ${input.notify ? 1 : 0}, ${input.scheduleId ?? null}, ${now}, ${now})`;
}

export function readTask(sql: Sql, id: string): TaskRow | undefined {
  return sql<TaskRow>`SELECT * FROM task WHERE id = ${id}`[0];
}

/** The checkpoint after a step: steps and credits used so far. Only a running task moves on. */
export function checkpointTask(sql: Sql, id: string, stepsUsed: number, spentMillicredits: number, now: number): void {
  sql`UPDATE task SET steps_used = ${stepsUsed}, spent_mc = ${spentMillicredits}, updated_at = ${now} WHERE id = ${id} AND status = 'running'`;
}

/** Ends a running task; returns false when it had already ended (for instance stopped by its owner meanwhile). */
export function endTask(
  sql: Sql,
  id: string,
  end: { status: Exclude<TaskStatus, "running">; reason: TaskEndReason; report: TaskReport; error?: string; spentMillicredits?: number },
  now: number,
): boolean {
  const before = readTask(sql, id);
  if (before?.status !== "running") return false;
  sql`UPDATE task SET status = ${end.status}, end_reason = ${end.reason}, report = ${JSON.stringify(end.report)},
      error = ${end.error ?? null}, spent_mc = ${end.spentMillicredits ?? before.spent_mc}, updated_at = ${now}, finished_at = ${now}
      WHERE id = ${id} AND status = 'running'`;
  return true;
}

/** Takes a paused task (loop breaker or approval) back to running; returns false when it was not paused. */
export function resumeTask(sql: Sql, id: string, now: number): boolean {
  if (readTask(sql, id)?.status !== "paused") return false;
  sql`UPDATE task SET status = 'running', end_reason = NULL, report = NULL, error = NULL, updated_at = ${now}, finished_at = NULL
      WHERE id = ${id} AND status = 'paused'`;
  return true;
}

/** Stops a paused task (nothing runs, so there is no step to abort); returns false when it was not paused. */
export function stopPausedTask(sql: Sql, id: string, report: TaskReport, now: number): boolean {
  if (readTask(sql, id)?.status !== "paused") return false;
  sql`UPDATE task SET status = 'stopped', end_reason = 'stopped', report = ${JSON.stringify(report)}, updated_at = ${now},
      finished_at = ${now} WHERE id = ${id} AND status = 'paused'`;
  return true;
}

/** The first message of a task's thread: the goal and how to work on it alone. */
export function taskPrompt(goal: string, stepBudget: number): string {
  return (
    `Task: ${goal}\n\n` +
    `Work on this task on your own, step by step, using your tools; nobody is watching to answer questions, so make ` +
    `reasonable choices and note them. You have at most ${stepBudget} steps. When the task is done, or cannot be ` +
    `done, answer without calling a tool: that answer is your final report. Say what you did, which files you ` +
    `changed, and what is left to do.`
  );
}

const END_SUMMARIES: Record<Exclude<TaskEndReason, "done" | "error">, (t: { steps: number; budget: string }) => string> = {
  step_budget: ({ steps }) => `The task stopped after using all ${steps} steps of its step budget.`,
  credit_budget: ({ steps, budget }) =>
    `The task stopped at its credit budget of ${budget} credits after ${steps} steps: the next step could have cost more than what was left.`,
  no_credits: ({ steps }) => `The task stopped after ${steps} steps because the account has no credits left. Buy credits to continue.`,
  stopped: ({ steps }) => `The task was stopped by its owner after ${steps} steps.`,
  loop: ({ steps }) =>
    `The task is paused after ${steps} steps: the agent repeated the same tool call or got the same error several times in a row (its thread says which), and the repeats were refunded. Resume it to let the agent try again, or give it a hint in a new task.`,
  approval: ({ steps }) =>
    `The task is paused after ${steps} steps: a tool call waits for your approval. Open its thread to allow or deny it; the task goes on once you decide.`,
};

/** The report of a task that did not reach its own final answer: what the platform knows about its work. */
export function platformReport(
  reason: Exclude<TaskEndReason, "done" | "error">,
  row: TaskRow,
  filesChanged: string[],
  lastText: string,
): TaskReport {
  const summary = END_SUMMARIES[reason]({ steps: row.steps_used, budget: String(toCredits(row.credit_budget_mc)) });
  const last = lastText.trim() ? ` The agent's last words were: "${lastText.trim().slice(0, 500)}"` : "";
  const next =
    reason === "loop"
      ? "Resume the task to go on, or stop it."
      : reason === "approval"
        ? "Allow or deny the waiting tool call in its thread to go on, or stop the task."
        : "Start a new task to continue from here.";
  return { summary, filesChanged, left: `The goal is not finished.${last} ${next}` };
}

/** The notice a task leaves in its own thread when the platform ends it. */
export function endNotice(reason: Exclude<TaskEndReason, "done">, row: TaskRow, error?: string): string {
  if (reason === "error") return `The task failed: ${error ?? "unknown error"}`;
  return END_SUMMARIES[reason]({ steps: row.steps_used, budget: String(toCredits(row.credit_budget_mc)) });
}

/** What a task's thread has cost so far, straight from the ledger (usage rows name their thread). */
export async function threadSpendMillicredits(d1: D1Database, threadId: string): Promise<number> {
  const row = await d1
    .prepare(
      "SELECT COALESCE(-SUM(amount_millicredits), 0) AS spent FROM ledger_entry WHERE thread_id = ? AND kind IN ('usage', 'loop_refund')",
    )
    .bind(threadId)
    .first<{ spent: number }>();
  return row?.spent ?? 0;
}
