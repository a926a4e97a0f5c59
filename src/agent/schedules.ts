import { Cron } from "croner";
import { z } from "zod";
import { fromCredits, toCredits } from "../lib/billing/rules.ts";
import { DEFAULT_TASK_CREDITS, DEFAULT_TASK_STEPS, MAX_TASK_STEPS } from "./tasks.ts";
import type { SqlTag as Sql } from "./sql-migrations.ts";

/**
 * Schedules: a task started at a time, or on a cron expression in a time zone. The agent's Durable Object owns the
 * rows; every due time that fires is recorded once (schedule_run), so wakes, retries and restarts cannot start a
 * task twice for the same due time, and due times missed while the runtime was down are caught up.
 */

/** Due times missed while the runtime was down that are still started on waking; older ones are recorded as missed. */
export const MAX_CATCH_UP_RUNS = 5;

export interface Schedule {
  id: string;
  goal: string;
  cron: string | null;
  timezone: string;
  at: string | null;
  paused: boolean;
  stepBudget: number;
  creditBudget: number;
  notify: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  missedRuns: number;
  createdAt: string;
  updatedAt: string;
}

export interface ScheduleRun {
  dueAt: string;
  taskId: string | null;
  firedAt: string;
}

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

function validCron(expression: string): boolean {
  try {
    new Cron(expression, { paused: true, mode: "5-part" });
    return true;
  } catch {
    return false;
  }
}

const Cron5 = z
  .string()
  .trim()
  .max(200)
  .refine(validCron, "cron must be a valid five-field cron expression (minute hour day month weekday)");
const TimeZone = z.string().max(100).refine(validTimeZone, "timezone must be an IANA time zone such as Europe/Berlin");
const At = z.iso.datetime({ offset: true });

const ScheduleFields = {
  goal: z.string().trim().min(1, "goal must not be empty").max(20_000),
  cron: Cron5.optional(),
  at: At.optional(),
  timezone: TimeZone.default("UTC"),
  paused: z.boolean().default(false),
  stepBudget: z.number().int().min(1).max(MAX_TASK_STEPS).default(DEFAULT_TASK_STEPS),
  /** Absent: the agent's task budget, resolved by the caller (src/lib/agents/credit-limits.ts). */
  creditBudget: z.number().positive().max(100_000).optional(),
  notify: z.boolean().default(true),
};

export const ScheduleInput = z
  .object(ScheduleFields)
  .refine((v) => (v.cron === undefined) !== (v.at === undefined), "give either cron (recurring) or at (one time), not both");
export type ScheduleInput = z.infer<typeof ScheduleInput>;

export const ScheduleChanges = z
  .object({
    goal: ScheduleFields.goal.optional(),
    cron: Cron5.optional(),
    at: At.optional(),
    timezone: TimeZone.optional(),
    paused: z.boolean().optional(),
    stepBudget: z.number().int().min(1).max(MAX_TASK_STEPS).optional(),
    creditBudget: z.number().positive().max(100_000).optional(),
    notify: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, "nothing to change")
  .refine((v) => v.cron === undefined || v.at === undefined, "give either cron or at, not both");
export type ScheduleChanges = z.infer<typeof ScheduleChanges>;

export interface ScheduleRow {
  id: string;
  goal: string;
  cron: string | null;
  timezone: string;
  run_at: number | null;
  paused: number;
  step_budget: number;
  credit_budget_mc: number;
  notify: number;
  next_run_at: number | null;
  last_run_at: number | null;
  missed_runs: number;
  created_at: number;
  updated_at: number;
}

/** The first due time strictly after `after` (ms), or null when there is none. */
export function nextDue(row: Pick<ScheduleRow, "cron" | "timezone" | "run_at">, after: number): number | null {
  if (row.cron)
    return new Cron(row.cron, { timezone: row.timezone, paused: true, mode: "5-part" }).nextRun(new Date(after))?.getTime() ?? null;
  return row.run_at !== null && row.run_at > after ? row.run_at : null;
}

export function scheduleFromRow(row: ScheduleRow): Schedule {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: row.id,
    goal: row.goal,
    cron: row.cron,
    timezone: row.timezone,
    at: iso(row.run_at),
    paused: row.paused === 1,
    stepBudget: row.step_budget,
    creditBudget: toCredits(row.credit_budget_mc),
    notify: row.notify === 1,
    nextRunAt: row.paused === 1 ? null : iso(row.next_run_at),
    lastRunAt: iso(row.last_run_at),
    missedRuns: row.missed_runs,
    createdAt: iso(row.created_at)!,
    updatedAt: iso(row.updated_at)!,
  };
}

export function insertSchedule(sql: Sql, id: string, input: ScheduleInput, now: number): ScheduleRow {
  const runAt = input.at ? new Date(input.at).getTime() : null;
  const timing = { cron: input.cron ?? null, timezone: input.timezone, run_at: runAt };
  // A one-time schedule whose time has just passed still runs once; only a cron looks strictly ahead.
  const next = timing.cron ? nextDue(timing, now) : runAt;
  sql`INSERT INTO task_schedule (id, goal, cron, timezone, run_at, paused, step_budget, credit_budget_mc, notify, next_run_at, created_at, updated_at)
      VALUES (${id}, ${input.goal}, ${timing.cron}, ${timing.timezone}, ${runAt}, ${input.paused ? 1 : 0}, ${input.stepBudget},
              ${fromCredits(input.creditBudget ?? DEFAULT_TASK_CREDITS)}, ${input.notify ? 1 : 0}, ${next}, ${now}, ${now})`;
  return readSchedule(sql, id)!;
}

export function readSchedule(sql: Sql, id: string): ScheduleRow | undefined {
  return sql<ScheduleRow>`SELECT * FROM task_schedule WHERE id = ${id}`[0];
}

export function updateSchedule(sql: Sql, id: string, changes: ScheduleChanges, now: number): ScheduleRow | undefined {
  const row = readSchedule(sql, id);
  if (!row) return undefined;
  const next: ScheduleRow = {
    ...row,
    goal: changes.goal ?? row.goal,
    cron: changes.at !== undefined ? null : (changes.cron ?? row.cron),
    run_at: changes.cron !== undefined ? null : changes.at !== undefined ? new Date(changes.at).getTime() : row.run_at,
    timezone: changes.timezone ?? row.timezone,
    paused: changes.paused === undefined ? row.paused : changes.paused ? 1 : 0,
    step_budget: changes.stepBudget ?? row.step_budget,
    credit_budget_mc: changes.creditBudget === undefined ? row.credit_budget_mc : fromCredits(changes.creditBudget),
    notify: changes.notify === undefined ? row.notify : changes.notify ? 1 : 0,
  };
  const timingChanged =
    changes.cron !== undefined ||
    changes.at !== undefined ||
    changes.timezone !== undefined ||
    (changes.paused === false && row.paused === 1);
  if (timingChanged)
    next.next_run_at = next.cron ? nextDue(next, now) : next.run_at !== null && next.run_at > (row.last_run_at ?? -1) ? next.run_at : null;
  sql`UPDATE task_schedule SET goal = ${next.goal}, cron = ${next.cron}, run_at = ${next.run_at}, timezone = ${next.timezone},
      paused = ${next.paused}, step_budget = ${next.step_budget}, credit_budget_mc = ${next.credit_budget_mc}, notify = ${next.notify},
      next_run_at = ${next.next_run_at}, updated_at = ${now} WHERE id = ${id}`;
  return readSchedule(sql, id);
}

export function listRuns(sql: Sql, id: string, limit = 50): ScheduleRun[] {
  return sql<{ due_at: number; task_id: string | null; fired_at: number }>`
    SELECT due_at, task_id, fired_at FROM task_schedule_run WHERE schedule_id = ${id} ORDER BY due_at DESC LIMIT ${limit}`.map((r) => ({
    dueAt: new Date(r.due_at).toISOString(),
    taskId: r.task_id,
    firedAt: new Date(r.fired_at).toISOString(),
  }));
}

/** One due time to fire: the schedule and the due time, claimed in schedule_run so it is never fired twice. */
export interface DueRun {
  schedule: ScheduleRow;
  dueAt: number;
}

/**
 * Claims every due time up to `now` that has not fired yet and moves each schedule on to its next due time. Runs
 * synchronously against SQLite, so two wakes can never claim the same due time.
 */
export function claimDueRuns(sql: Sql, now: number): DueRun[] {
  const claimed: DueRun[] = [];
  const due = sql<ScheduleRow>`SELECT * FROM task_schedule WHERE paused = 0 AND next_run_at IS NOT NULL AND next_run_at <= ${now}`;
  for (const row of due) {
    let at: number | null = row.next_run_at;
    let fired = 0;
    let missed = 0;
    while (at !== null && at <= now) {
      if (fired < MAX_CATCH_UP_RUNS) {
        const already =
          sql<{ n: number }>`SELECT COUNT(*) AS n FROM task_schedule_run WHERE schedule_id = ${row.id} AND due_at = ${at}`[0]!.n > 0;
        if (!already) {
          sql`INSERT INTO task_schedule_run (schedule_id, due_at, task_id, fired_at) VALUES (${row.id}, ${at}, NULL, ${now})`;
          claimed.push({ schedule: row, dueAt: at });
          fired++;
        }
      } else {
        missed++;
      }
      at = nextDue(row, at);
    }
    sql`UPDATE task_schedule SET next_run_at = ${at}, last_run_at = ${now}, missed_runs = missed_runs + ${missed}, updated_at = ${now} WHERE id = ${row.id}`;
  }
  return claimed;
}

export function recordRunTask(sql: Sql, scheduleId: string, dueAt: number, taskId: string): void {
  sql`UPDATE task_schedule_run SET task_id = ${taskId} WHERE schedule_id = ${scheduleId} AND due_at = ${dueAt}`;
}
