import { eq } from "drizzle-orm";
import { getDb } from "../db/client.ts";
import { user } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { findAgentById } from "../lib/agents/agents.ts";
import { escapeHtml } from "../lib/email/message.ts";
import { sendEmail } from "../lib/email/send.ts";
import { takeEmailReply } from "../lib/triggers/triggers.ts";
import type { Task } from "./tasks.ts";

const OUTCOME: Record<string, string> = {
  completed: "finished",
  failed: "failed",
  stopped: "stopped",
  paused: "paused",
};

/** The report of a task as the text of an email. */
function reportText(task: Task): string {
  const report = task.report;
  return [
    report?.summary ?? "",
    report && report.filesChanged.length > 0 ? `\nFiles changed: ${report.filesChanged.join(", ")}` : "",
    report?.left ? `\nWhat is left: ${report.left}` : "",
    "",
    `Steps: ${task.stepsUsed} of ${task.stepBudget}. Credits: ${task.creditsUsed} of ${task.creditBudget}.`,
  ].join("\n");
}

/**
 * Answers the email that started a task (src/operations/triggers.ts) with the task's report, once: the reply is
 * taken from the delivery row before it is sent, so a second finish or a retry sends nothing more.
 */
export async function replyToEmailTask(env: Env, agentId: string, task: Task): Promise<void> {
  const reply = await takeEmailReply(getDb(env.DB), task.id, new Date());
  if (!reply) return;
  const agent = await findAgentById(getDb(env.DB), agentId);
  const text = `${agent?.name ?? "Your agent"} ${OUTCOME[task.status] ?? task.status} the task your email started.\n\n${reportText(task)}`;
  await sendEmail(env, {
    to: reply.replyTo,
    subject: reply.replySubject,
    text,
    html: `<pre style="white-space:pre-wrap;font-family:inherit">${escapeHtml(text)}</pre>`,
  });
}

/** Emails the agent's owner (who created it) that a task ended, with its report. */
export async function notifyTaskEnded(env: Env, agentId: string, task: Task): Promise<void> {
  const db = getDb(env.DB);
  const agent = await findAgentById(db, agentId);
  if (!agent?.createdByUserId) return;
  const owner = await db.select({ email: user.email }).from(user).where(eq(user.id, agent.createdByUserId)).get();
  if (!owner) return;
  const goal = task.goal.length > 60 ? `${task.goal.slice(0, 59)}…` : task.goal;
  const origin = env.APP_URL ? new URL(env.APP_URL).origin : "";
  // A task waiting for approval links to its thread, where the waiting call is allowed or denied.
  const waiting = task.status === "paused" && task.endReason === "approval";
  const link = !origin ? "" : waiting ? `${origin}/agents/${agentId}/threads/${task.threadId}` : `${origin}/agents/${agentId}`;
  const cta = waiting
    ? "Open the thread to allow or deny it"
    : task.status === "paused"
      ? "Open the agent to resume it or stop it"
      : "Open the agent";
  const report = task.report;
  const lines = [
    `Your agent "${agent.name}" ${OUTCOME[task.status] ?? task.status} a task: ${task.goal}`,
    "",
    report?.summary ?? "",
    report && report.filesChanged.length > 0 ? `\nFiles changed: ${report.filesChanged.join(", ")}` : "",
    report?.left ? `\nWhat is left: ${report.left}` : "",
    "",
    `Steps: ${task.stepsUsed} of ${task.stepBudget}. Credits: ${task.creditsUsed} of ${task.creditBudget}.`,
    link ? `\n${cta}: ${link}` : "",
  ];
  const text = lines.join("\n");
  await sendEmail(env, {
    to: owner.email,
    subject: `Task ${OUTCOME[task.status] ?? task.status}: ${goal}`,
    text,
    html: `<pre style="white-space:pre-wrap;font-family:inherit">${escapeHtml(text)}</pre>`,
  });
}
