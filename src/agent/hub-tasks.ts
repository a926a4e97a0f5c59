import { getDb } from "../db/client.ts";
import { agentScheduleDue } from "../db/schema.ts";
import { eq } from "drizzle-orm";
import type { Env } from "../env.ts";
import { workspaceGroup } from "../lib/agents/account-limits.ts";
import { findAgentById } from "../lib/agents/agents.ts";
import { presetFor } from "../lib/agents/presets.ts";
import {
  DEFAULT_GIT_HOSTS,
  isGitCredential,
  type OpenedSecret,
  openSecret,
  sealSecret,
  type SecretInfo,
  type SecretInput,
  secretHint,
} from "../lib/agents/secrets.ts";
import { randomId } from "../lib/agents/ids.ts";
import type { Workspace } from "../sandbox/types.ts";
import { sandboxFor } from "../sandbox/backend.ts";
import { chatThread } from "./client.ts";
import {
  claimDueRuns,
  insertSchedule,
  listRuns,
  readSchedule,
  recordRunTask,
  scheduleFromRow,
  updateSchedule,
  type Schedule,
  type ScheduleChanges,
  type ScheduleInput,
  type ScheduleRow,
  type ScheduleRun,
} from "./schedules.ts";
import { notifyTaskEnded, replyToEmailTask } from "./task-notify.ts";
import {
  checkpointTask,
  endNotice,
  endTask,
  insertTask,
  platformReport,
  readTask,
  resumeTask,
  stopPausedTask,
  taskFromRow,
  taskPrompt,
  threadSpendMillicredits,
  type Task,
  type TaskEndReason,
  type TaskInput,
  type TaskReport,
  type TaskRow,
  type TaskStepResult,
} from "./tasks.ts";
import type { SqlTag as Sql } from "./sql-migrations.ts";

/** What the agent's Durable Object lends its task machinery. */
export interface TaskHost {
  agentId(): string;
  sql: Sql;
  env(): Env;
  waitUntil(promise: Promise<unknown>): void;
  runFiber<T>(name: string, fn: () => Promise<T>): Promise<T>;
  scheduleAt(when: Date, payload: { scheduleId: string; dueAt: number }): Promise<unknown>;
  insertThread(title?: string): { id: string };
  publishState(): void;
  /** The agent's clock (./clock.ts). */
  now(): number;
}

const TASK_FIBER = "task:";
const RECENT_TASKS = 20;

/**
 * Tasks, schedules, secrets and starter files of one agent, kept in its Durable Object's SQLite. A task runs in a
 * durable fiber (the SDK's runFiber: registered in SQLite, kept alive by alarm heartbeats); after an eviction or a
 * restart the SDK reports the cut-off fiber and the task goes on from its last checkpoint (the task row).
 */
export class HubTasks {
  readonly #host: TaskHost;
  readonly #driving = new Set<string>();

  constructor(host: TaskHost) {
    this.#host = host;
  }

  get #sql(): Sql {
    return this.#host.sql;
  }

  onStart(): void {
    // Whatever woke us (a request, an alarm), running tasks without a fiber in this isolate continue.
    for (const { id } of this.#sql<{ id: string }>`SELECT id FROM task WHERE status = 'running'`) this.#launch(id);
  }

  onFiberRecovered(name: string): void {
    if (name.startsWith(TASK_FIBER)) this.#launch(name.slice(TASK_FIBER.length));
  }

  /** The simulated time a test set for this agent (kept with the agent's flags, so it survives a restart). */
  simulatedTime(): number | null {
    const value = this.#sql<{ value: string }>`SELECT value FROM hub_flag WHERE key = 'simulated_time'`[0]?.value;
    return value === undefined ? null : Number(value);
  }

  setSimulatedTime(at: number | null): void {
    if (at === null) this.#sql`DELETE FROM hub_flag WHERE key = 'simulated_time'`;
    else this.#sql`INSERT OR REPLACE INTO hub_flag (key, value) VALUES ('simulated_time', ${String(at)})`;
  }

  // Tasks

  recentTasks(): Task[] {
    return this.#sql<TaskRow>`SELECT * FROM task ORDER BY created_at DESC LIMIT ${RECENT_TASKS}`.map(taskFromRow);
  }

  async listTasks(): Promise<Task[]> {
    return this.#sql<TaskRow>`SELECT * FROM task ORDER BY created_at DESC, id DESC LIMIT 200`.map(taskFromRow);
  }

  async getTask(id: string): Promise<Task | null> {
    const row = readTask(this.#sql, id);
    return row ? taskFromRow(row) : null;
  }

  #createTask(input: TaskInput, scheduleId: string | null): TaskRow {
    const thread = this.#host.insertThread(`Task: ${input.goal}`);
    const id = randomId(12);
    insertTask(this.#sql, { ...input, id, threadId: thread.id, scheduleId }, this.#host.now());
    return readTask(this.#sql, id)!;
  }

  async startTask(input: TaskInput): Promise<Task> {
    const row = this.#createTask(input, null);
    this.#host.publishState();
    this.#launch(row.id);
    return taskFromRow(row);
  }

  async stopTask(id: string): Promise<Task | null> {
    const row = readTask(this.#sql, id);
    if (!row) return null;
    if (row.status === "paused") {
      const thread = await chatThread(this.#host.env(), this.#host.agentId(), row.thread_id);
      const facts = await thread.taskFacts();
      if (stopPausedTask(this.#sql, id, platformReport("stopped", row, facts.filesChanged, facts.lastText), this.#host.now())) {
        await thread.appendTaskNotice(endNotice("stopped", row));
        this.#host.publishState();
      }
      return this.getTask(id);
    }
    if (row.status === "running") {
      const thread = await chatThread(this.#host.env(), this.#host.agentId(), row.thread_id);
      const facts = await thread.taskFacts();
      endTask(
        this.#sql,
        id,
        { status: "stopped", reason: "stopped", report: platformReport("stopped", row, facts.filesChanged, facts.lastText) },
        this.#host.now(),
      );
      await thread.stop();
      // A step in flight ends as aborted and its fiber leaves the notice; otherwise it is left here.
      if (!this.#driving.has(id)) await thread.appendTaskNotice(endNotice("stopped", row));
      this.#host.publishState();
    }
    return this.getTask(id);
  }

  /**
   * Resumes a paused task; null when there is no such task, unchanged when it was not paused or a tool call of its
   * thread still waits for a decision (deciding it resumes the task).
   */
  async resumeTask(id: string): Promise<{ task: Task; resumed: boolean } | null> {
    const row = readTask(this.#sql, id);
    if (!row) return null;
    if (row.status === "paused" && row.end_reason === "approval") {
      const thread = await chatThread(this.#host.env(), this.#host.agentId(), row.thread_id);
      if ((await thread.pendingApprovals()).length > 0) return { task: taskFromRow(row), resumed: false };
    }
    const resumed = resumeTask(this.#sql, id, this.#host.now());
    if (resumed) {
      this.#host.publishState();
      this.#launch(id);
    }
    return { task: taskFromRow(readTask(this.#sql, id)!), resumed };
  }

  /** Resumes the task of a thread that was paused for an approval, once the thread's calls are decided. */
  async resumeTaskOfThread(threadId: string): Promise<void> {
    const [row] = this.#sql<{
      id: string;
    }>`SELECT id FROM task WHERE thread_id = ${threadId} AND status = 'paused' AND end_reason = 'approval'`;
    if (row) await this.resumeTask(row.id);
  }

  #launch(id: string): void {
    if (this.#driving.has(id)) return;
    this.#driving.add(id);
    this.#host
      .runFiber(`${TASK_FIBER}${id}`, () => this.#drive(id))
      .catch((error) => console.error(`task ${id} fiber failed`, error))
      .finally(() => this.#driving.delete(id));
  }

  /** Runs a task's steps until it ends; every step is checkpointed in the task row before the next begins. */
  async #drive(id: string): Promise<void> {
    const env = this.#host.env();
    for (;;) {
      const row = readTask(this.#sql, id);
      if (!row) return;
      const thread = await chatThread(env, this.#host.agentId(), row.thread_id);
      if (row.status !== "running") {
        if (row.end_reason === "stopped") await thread.appendTaskNotice(endNotice("stopped", row));
        return;
      }
      if (row.steps_used >= row.step_budget) return this.#finish(id, "step_budget");
      let result: TaskStepResult;
      try {
        const spent = await threadSpendMillicredits(env.DB, row.thread_id);
        result = await thread.runTaskStep({
          prompt: taskPrompt(row.goal, row.step_budget),
          remainingMillicredits: row.credit_budget_mc - spent,
        });
      } catch (error) {
        result = { outcome: "error", text: "", error: error instanceof Error ? error.message : String(error) };
      }
      const ran = result.outcome !== "credit_budget" && result.outcome !== "no_credits";
      checkpointTask(this.#sql, id, row.steps_used + (ran ? 1 : 0), await threadSpendMillicredits(env.DB, row.thread_id), this.#host.now());
      this.#host.publishState();
      switch (result.outcome) {
        case "tool_calls":
          continue;
        case "final":
          return this.#finish(id, "done", result.text);
        case "aborted":
          continue;
        case "loop":
          return this.#finish(id, "loop");
        case "approval":
          return this.#finish(id, "approval");
        case "error":
          return this.#finish(id, "error", result.text, result.error);
        default:
          return this.#finish(id, result.outcome);
      }
    }
  }

  async #finish(id: string, reason: TaskEndReason, text = "", error?: string): Promise<void> {
    const env = this.#host.env();
    const row = readTask(this.#sql, id);
    if (row?.status !== "running") return;
    const thread = await chatThread(env, this.#host.agentId(), row.thread_id);
    const facts = await thread.taskFacts();
    let report: TaskReport;
    if (reason === "done") report = { summary: text.trim() || facts.lastText, filesChanged: facts.filesChanged, left: "" };
    else if (reason === "error")
      report = {
        summary: `The task failed after ${row.steps_used} steps: ${error ?? "unknown error"}`,
        filesChanged: facts.filesChanged,
        left: "The goal is not finished.",
      };
    else report = platformReport(reason, row, facts.filesChanged, facts.lastText);
    // A pause is already explained in the thread: by the answer the loop breaker ended, or by the call that waits
    // for approval (which must stay the thread's last message, for the approved call to run when the task resumes).
    const pause = reason === "loop" || reason === "approval";
    if (reason !== "done" && !pause) await thread.appendTaskNotice(endNotice(reason, row, error));
    const status = reason === "done" ? "completed" : reason === "error" ? "failed" : pause ? "paused" : "stopped";
    if (!endTask(this.#sql, id, { status, reason, report, error }, this.#host.now())) return;
    this.#host.publishState();
    const task = taskFromRow(readTask(this.#sql, id)!);
    // An email's sender gets one reply, with the report of the task's end; a paused task has not ended yet.
    if (task.status !== "paused") {
      this.#host.waitUntil(replyToEmailTask(env, this.#host.agentId(), task).catch((e) => console.error("task email reply failed", e)));
    }
    if (task.notify && reason !== "stopped") {
      this.#host.waitUntil(notifyTaskEnded(env, this.#host.agentId(), task).catch((e) => console.error("task notification failed", e)));
    }
  }

  // Schedules

  async createSchedule(input: ScheduleInput, now: number): Promise<Schedule> {
    const row = insertSchedule(this.#sql, randomId(12), input, now);
    await this.#arm(row);
    return scheduleFromRow(row);
  }

  async listSchedules(): Promise<Schedule[]> {
    return this.#sql<ScheduleRow>`SELECT * FROM task_schedule ORDER BY created_at ASC`.map(scheduleFromRow);
  }

  async getSchedule(id: string): Promise<(Schedule & { runs: ScheduleRun[] }) | null> {
    const row = readSchedule(this.#sql, id);
    return row ? { ...scheduleFromRow(row), runs: listRuns(this.#sql, id) } : null;
  }

  async updateSchedule(id: string, changes: ScheduleChanges, now: number): Promise<Schedule | null> {
    const row = updateSchedule(this.#sql, id, changes, now);
    if (!row) return null;
    await this.#arm(row);
    return scheduleFromRow(row);
  }

  async deleteSchedule(id: string): Promise<boolean> {
    const existed = readSchedule(this.#sql, id) !== undefined;
    this.#sql`DELETE FROM task_schedule WHERE id = ${id}`;
    this.#sql`DELETE FROM task_schedule_run WHERE schedule_id = ${id}`;
    await getDb(this.#host.env().DB).delete(agentScheduleDue).where(eq(agentScheduleDue.scheduleId, id));
    return existed;
  }

  /**
   * Fires every due time up to `now` exactly once. Claiming the due times and creating their tasks happens in one
   * synchronous stretch of SQLite work, so a restart either sees a due time fired with its task, or not at all.
   */
  async runDueSchedules(now: number): Promise<{ started: string[] }> {
    const claimed = claimDueRuns(this.#sql, now);
    const started: string[] = [];
    for (const { schedule, dueAt } of claimed) {
      const task = this.#createTask(
        {
          goal: schedule.goal,
          stepBudget: schedule.step_budget,
          creditBudget: schedule.credit_budget_mc / 1000,
          notify: schedule.notify === 1,
        },
        schedule.id,
      );
      recordRunTask(this.#sql, schedule.id, dueAt, task.id);
      started.push(task.id);
    }
    for (const id of started) this.#launch(id);
    if (started.length > 0) this.#host.publishState();
    const touched = new Set(claimed.map((c) => c.schedule.id));
    for (const id of touched) await this.#arm(readSchedule(this.#sql, id)!);
    return { started };
  }

  /** Sets the SDK alarm for a schedule's next due time and mirrors it to D1 for the cron trigger's catch-up. */
  async #arm(row: ScheduleRow): Promise<void> {
    const db = getDb(this.#host.env().DB);
    if (row.paused === 1 || row.next_run_at === null) {
      await db.delete(agentScheduleDue).where(eq(agentScheduleDue.scheduleId, row.id));
      return;
    }
    await db
      .insert(agentScheduleDue)
      .values({ scheduleId: row.id, agentId: this.#host.agentId(), nextRunAt: new Date(row.next_run_at) })
      .onConflictDoUpdate({ target: agentScheduleDue.scheduleId, set: { nextRunAt: new Date(row.next_run_at) } });
    await this.#host.scheduleAt(new Date(row.next_run_at), { scheduleId: row.id, dueAt: row.next_run_at });
  }

  // Secrets

  async putSecrets(values: Record<string, SecretInput>): Promise<SecretInfo[]> {
    const env = this.#host.env();
    const now = this.#host.now();
    for (const [name, { value, commands, hosts }] of Object.entries(values)) {
      const sealed = await sealSecret(env, this.#host.agentId(), name, value);
      const hostList = hosts ? JSON.stringify(hosts) : null;
      this.#sql`INSERT INTO agent_secret (name, sealed, hint, updated_at, commands, hosts)
        VALUES (${name}, ${sealed}, ${secretHint(value)}, ${now}, ${commands ? 1 : 0}, ${hostList})
        ON CONFLICT(name) DO UPDATE SET sealed = excluded.sealed, hint = excluded.hint, updated_at = excluded.updated_at,
          commands = excluded.commands, hosts = excluded.hosts`;
    }
    return this.listSecrets();
  }

  async listSecrets(): Promise<SecretInfo[]> {
    return this.#sql<{ name: string; hint: string; updated_at: number; commands: number; hosts: string | null }>`
      SELECT name, hint, updated_at, commands, hosts FROM agent_secret ORDER BY name`.map((r) => ({
      name: r.name,
      // Hints stored before they stopped showing a value's first characters keep only the length.
      hint: r.hint.replace(/^[^(]*…/, ""),
      updatedAt: new Date(r.updated_at).toISOString(),
      commands: r.commands === 1,
      hosts: r.hosts ? (JSON.parse(r.hosts) as string[]) : isGitCredential(r.name) ? DEFAULT_GIT_HOSTS : null,
    }));
  }

  async deleteSecret(name: string): Promise<boolean> {
    const existed = this.#sql<{ name: string }>`SELECT name FROM agent_secret WHERE name = ${name}`.length > 0;
    this.#sql`DELETE FROM agent_secret WHERE name = ${name}`;
    return existed;
  }

  /** The decrypted secrets with their settings, for the agent's own threads and routes (commands, redaction, git). */
  async openSecrets(): Promise<Record<string, OpenedSecret>> {
    const env = this.#host.env();
    const out: Record<string, OpenedSecret> = {};
    for (const row of this.#sql<{ name: string; sealed: string; commands: number; hosts: string | null }>`
      SELECT name, sealed, commands, hosts FROM agent_secret`) {
      out[row.name] = {
        value: await openSecret(env, this.#host.agentId(), row.name, row.sealed),
        commands: row.commands === 1,
        hosts: row.hosts ? (JSON.parse(row.hosts) as string[]) : null,
      };
    }
    return out;
  }

  // Starter files

  /** Writes the preset's starter files into the workspace once (files the owner already has are kept). */
  async provisionWorkspace(): Promise<void> {
    if (this.#sql<{ value: string }>`SELECT value FROM hub_flag WHERE key = 'provisioned'`.length > 0) return;
    const env = this.#host.env();
    const agent = await findAgentById(getDb(env.DB), this.#host.agentId());
    if (!agent) return;
    const preset = presetFor(agent.preset);
    const group = await workspaceGroup(getDb(env.DB), agent.accountId);
    const workspace: Workspace = await sandboxFor(env).workspace(this.#host.agentId(), { group });
    for (const [path, content] of Object.entries(preset.starterFiles)) {
      if (!(await workspace.exists(path)).exists) await workspace.writeFile(path, content);
    }
    this.#sql`INSERT OR REPLACE INTO hub_flag (key, value) VALUES ('provisioned', ${preset.id})`;
  }

  async destroyAll(): Promise<void> {
    for (const { id } of this.#sql<{ id: string }>`SELECT id FROM task WHERE status = 'running'`) {
      endTask(
        this.#sql,
        id,
        { status: "stopped", reason: "stopped", report: { summary: "The agent was deleted.", filesChanged: [], left: "" } },
        this.#host.now(),
      );
    }
    this.#sql`DELETE FROM task`;
    this.#sql`DELETE FROM task_schedule`;
    this.#sql`DELETE FROM task_schedule_run`;
    this.#sql`DELETE FROM agent_secret`;
    this.#sql`DELETE FROM hub_flag`;
    await getDb(this.#host.env().DB).delete(agentScheduleDue).where(eq(agentScheduleDue.agentId, this.#host.agentId()));
  }
}
