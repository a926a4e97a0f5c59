"use client";

import { CalendarClock, ChevronRight, Loader2, Pause, Play, Square, Trash2 } from "lucide-react";
import Link from "next/link";
import { useCallback, useEffect, useId, useState, type FormEvent } from "react";
import type { Schedule } from "@/agent/schedules.ts";
import type { Task } from "@/agent/tasks.ts";
import { Alert } from "@/components/ui/alert.tsx";
import { Badge } from "@/components/ui/badge.tsx";
import { Button } from "@/components/ui/button.tsx";
import { useConfirm } from "@/components/ui/confirm-dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { Label } from "@/components/ui/label.tsx";
import { Textarea } from "@/components/ui/textarea.tsx";
import { cn } from "@/lib/ui/cn.ts";
import { errorMessage, formatCredits, relativeTime, request, requestJson } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";
import { CRON_PRESETS, describeCron } from "./cron-text.ts";

const END_REASONS: Record<string, string> = {
  done: "finished",
  step_budget: "reached its step budget",
  credit_budget: "reached its credit budget",
  no_credits: "ran out of credits",
  stopped: "was stopped",
  error: "failed",
  loop: "is paused: the agent repeated the same step (its chat says which; the repeats were refunded)",
};

function Meter({ label, used, budget }: { label: string; used: number; budget: number }) {
  const share = budget > 0 ? Math.min(1, used / budget) : 0;
  return (
    <div className="min-w-0 flex-1">
      <div className="flex justify-between text-[11px] text-muted-foreground">
        <span>{label}</span>
        <span>
          {label === "Credits" ? formatCredits(used) : used} / {label === "Credits" ? formatCredits(budget) : budget}
        </span>
      </div>
      <div
        className="mt-0.5 h-1.5 overflow-hidden rounded-full bg-muted"
        role="progressbar"
        aria-label={label}
        aria-valuenow={used}
        aria-valuemax={budget}
      >
        <div className="h-full bg-primary transition-all" style={{ width: `${share * 100}%` }} />
      </div>
    </div>
  );
}

/** A finished task's report, folded away so a long one does not push the next tasks off screen. */
function TaskReport({ summary }: { summary: string }) {
  const [open, setOpen] = useState(false);
  const id = useId();
  return (
    <div>
      <Button
        variant="link"
        size="sm"
        className="h-auto gap-1 px-0 text-xs"
        aria-expanded={open}
        aria-controls={id}
        onClick={() => setOpen((o) => !o)}
      >
        <ChevronRight className={cn("size-3.5 transition-transform", open && "rotate-90")} />
        {open ? "Hide report" : "Show report"}
      </Button>
      {open && (
        <p id={id} className="mt-1 whitespace-pre-wrap break-words rounded bg-muted/50 p-2 text-xs" data-testid="task-report">
          {summary}
        </p>
      )}
    </div>
  );
}

function TaskRow({ task, agentId, onStop, onResume }: { task: Task; agentId: string; onStop: () => void; onResume: () => void }) {
  return (
    <li className="space-y-2 border-b px-3 py-3" aria-label={`Task: ${task.goal.slice(0, 80)}`} data-status={task.status}>
      <div className="flex items-start gap-2">
        <p className="min-w-0 flex-1 whitespace-pre-wrap break-words text-sm">{task.goal}</p>
        <Badge
          className={cn(
            task.status === "running" && "border-emerald-500/40 text-emerald-700 dark:text-emerald-400",
            task.status === "failed" && "text-destructive",
            task.status === "paused" && "border-amber-500/40 text-amber-700 dark:text-amber-400",
          )}
        >
          {task.status}
        </Badge>
      </div>
      <div className="flex gap-3">
        <Meter label="Steps" used={task.stepsUsed} budget={task.stepBudget} />
        <Meter label="Credits" used={task.creditsUsed} budget={task.creditBudget} />
      </div>
      {task.endReason && task.status !== "running" && (
        <p className="text-xs text-muted-foreground">The task {END_REASONS[task.endReason] ?? task.endReason}.</p>
      )}
      {task.report?.summary && <TaskReport summary={task.report.summary} />}
      {task.error && <p className="text-xs text-destructive">{task.error}</p>}
      <div className="flex items-center gap-2">
        <Button asChild variant="link" size="sm" className="h-auto px-0">
          <Link href={`/agents/${agentId}/threads/${task.threadId}`}>Open its chat</Link>
        </Button>
        <span className="text-[11px] text-muted-foreground">{relativeTime(task.createdAt)}</span>
        {task.status === "paused" && (
          <Button variant="outline" size="sm" className="ml-auto h-7" onClick={onResume} aria-label="Resume task">
            <Play /> Resume
          </Button>
        )}
        {(task.status === "running" || task.status === "paused") && (
          <Button
            variant="outline"
            size="sm"
            className={cn("h-7", task.status === "running" && "ml-auto")}
            onClick={onStop}
            aria-label="Stop task"
          >
            <Square /> Stop
          </Button>
        )}
      </div>
    </li>
  );
}

/** Autonomous tasks (start, watch live, stop) and the schedules that start them. */
export function TasksTab() {
  const { agent, agentId, tasks: liveTasks } = useAgentWorkspace();
  const base = `/api/agent/${agentId}`;
  const [fetched, setFetched] = useState<Task[] | null>(null);
  const [goal, setGoal] = useState("");
  const [steps, setSteps] = useState("20");
  // Until edited, the credits field shows the agent's task budget (its tasks' default and ceiling).
  const [editedCredits, setCredits] = useState<string | null>(null);
  const credits = editedCredits ?? String(agent?.taskCreditBudget ?? 10);
  const [error, setError] = useState<string>();
  const [pending, setPending] = useState(false);

  const load = useCallback(async () => {
    try {
      setFetched((await requestJson<{ tasks: Task[] }>(`${base}/tasks`)).tasks);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [base]);
  useEffect(() => {
    void load();
  }, [load]);
  // The hub pushes progress after every step; the REST list only fills in until it does.
  const tasks = liveTasks && liveTasks.length > 0 ? liveTasks : fetched;

  async function start(event: FormEvent) {
    event.preventDefault();
    if (!goal.trim()) return setError("Describe the goal of the task.");
    setPending(true);
    try {
      const task = await requestJson<Task>(`${base}/tasks`, {
        method: "POST",
        body: JSON.stringify({ goal: goal.trim(), stepBudget: Number(steps) || 20, creditBudget: Number(credits) || undefined }),
      });
      setGoal("");
      setFetched((f) => [task, ...(f ?? [])]);
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setPending(false);
    }
  }

  async function stop(id: string) {
    await change(id, `${base}/tasks/${id}`, "DELETE");
  }

  async function resume(id: string) {
    await change(id, `${base}/tasks/${id}/resume`, "POST");
  }

  async function change(id: string, url: string, method: "DELETE" | "POST") {
    try {
      const task = await requestJson<Task>(url, { method });
      setFetched((f) => f?.map((t) => (t.id === id ? task : t)) ?? null);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <div className="h-full min-h-0 overflow-y-auto">
      <form onSubmit={start} className="space-y-2 border-b p-3" aria-label="Start a task">
        <Textarea
          value={goal}
          onChange={(e) => setGoal(e.target.value)}
          rows={2}
          placeholder="Goal, e.g. Add tests for the API and fix what fails"
          aria-label="Task goal"
        />
        <div className="flex flex-wrap items-end gap-2">
          <div className="space-y-1">
            <Label htmlFor="task-steps" className="text-xs">
              Step budget
            </Label>
            <Input
              id="task-steps"
              type="number"
              min={1}
              max={500}
              value={steps}
              onChange={(e) => setSteps(e.target.value)}
              className="h-8 w-24"
            />
          </div>
          <div className="space-y-1">
            <Label htmlFor="task-credits" className="text-xs">
              Credit budget
            </Label>
            <Input
              id="task-credits"
              type="number"
              min={0.1}
              step={0.1}
              value={credits}
              onChange={(e) => setCredits(e.target.value)}
              className="h-8 w-24"
            />
          </div>
          <Button type="submit" size="sm" className="ml-auto" disabled={pending || !goal.trim()}>
            {pending ? <Loader2 className="animate-spin" /> : <Play />} Start task
          </Button>
        </div>
      </form>
      {error && (
        <Alert variant="destructive" className="m-2">
          {error}
        </Alert>
      )}
      {!tasks && !error && (
        <p className="flex items-center gap-2 p-3 text-sm text-muted-foreground" role="status">
          <Loader2 className="size-4 animate-spin" /> Loading tasks…
        </p>
      )}
      {tasks?.length === 0 && (
        <p className="p-4 text-sm text-muted-foreground">
          No tasks yet. A task works on its goal on its own, even when you close the browser.
        </p>
      )}
      <ul aria-label="Tasks">
        {tasks?.map((task) => (
          <TaskRow key={task.id} task={task} agentId={agentId} onStop={() => void stop(task.id)} onResume={() => void resume(task.id)} />
        ))}
      </ul>
    </div>
  );
}

/** Schedules that start tasks: by cron in the user's time zone, paused and resumed, deleted after a confirmation. */
export function SchedulesTab() {
  const { agentId } = useAgentWorkspace();
  const base = `/api/agent/${agentId}/schedules`;
  const [schedules, setSchedules] = useState<Schedule[] | null>(null);
  const [goal, setGoal] = useState("");
  const [cron, setCron] = useState("0 9 * * *");
  const [error, setError] = useState<string>();
  const [confirm, confirmDialog] = useConfirm();
  const timezone = typeof Intl !== "undefined" ? Intl.DateTimeFormat().resolvedOptions().timeZone : "UTC";

  const load = useCallback(async () => {
    try {
      setSchedules((await requestJson<{ schedules: Schedule[] }>(base)).schedules);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [base]);
  useEffect(() => {
    void load();
  }, [load]);

  async function act(run: () => Promise<unknown>) {
    try {
      await run();
      setError(undefined);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  function create(event: FormEvent) {
    event.preventDefault();
    if (!goal.trim()) return setError("Describe what the scheduled task should do.");
    void act(async () => {
      await requestJson(base, { method: "POST", body: JSON.stringify({ goal: goal.trim(), cron: cron.trim(), timezone }) });
      setGoal("");
    });
  }

  return (
    <section className="h-full min-h-0 overflow-y-auto p-3" aria-label="Schedules">
      {confirmDialog}
      <h3 className="flex items-center gap-1.5 text-sm font-semibold">
        <CalendarClock className="size-4" /> Schedules
      </h3>
      <form onSubmit={create} className="mt-2 space-y-2">
        <Input
          value={goal}
          onChange={(e) => setGoal(e.target.value)}
          placeholder="Goal, e.g. Summarise new issues"
          aria-label="Schedule goal"
        />
        <div className="flex flex-wrap items-center gap-2">
          <Input value={cron} onChange={(e) => setCron(e.target.value)} aria-label="Cron expression" className="h-8 w-36 font-mono" />
          <select
            aria-label="Common schedules"
            className="h-8 rounded-md border bg-background px-2 text-sm"
            value={CRON_PRESETS.some((p) => p.cron === cron) ? cron : ""}
            onChange={(e) => e.target.value && setCron(e.target.value)}
          >
            <option value="">Custom…</option>
            {CRON_PRESETS.map((p) => (
              <option key={p.cron} value={p.cron}>
                {p.label}
              </option>
            ))}
          </select>
          <Button type="submit" size="sm" variant="outline" className="ml-auto">
            Add schedule
          </Button>
        </div>
        <p className="text-xs text-muted-foreground" data-testid="cron-description">
          {describeCron(cron)} ({timezone})
        </p>
      </form>
      {error && (
        <Alert variant="destructive" className="mt-2">
          {error}
        </Alert>
      )}
      {schedules?.length === 0 && <p className="mt-2 text-xs text-muted-foreground">No schedules.</p>}
      <ul className="mt-2 divide-y" aria-label="Schedule list">
        {schedules?.map((s) => (
          <li key={s.id} className="flex items-start gap-2 py-2" aria-label={`Schedule: ${s.goal.slice(0, 80)}`}>
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm">{s.goal}</p>
              <p className="text-xs text-muted-foreground">
                {s.cron ? describeCron(s.cron) : `Once at ${s.at ? new Date(s.at).toLocaleString() : "?"}`} · {s.timezone}
              </p>
              <p className="text-[11px] text-muted-foreground">
                {s.paused ? "Paused" : s.nextRunAt ? `Next run ${new Date(s.nextRunAt).toLocaleString()}` : "No further runs"}
              </p>
            </div>
            <Button
              variant="ghost"
              size="icon"
              className="size-7"
              aria-label={s.paused ? "Resume schedule" : "Pause schedule"}
              onClick={() =>
                void act(() => requestJson(`${base}/${s.id}`, { method: "PATCH", body: JSON.stringify({ paused: !s.paused }) }))
              }
            >
              {s.paused ? <Play /> : <Pause />}
            </Button>
            <Button
              variant="ghost"
              size="icon"
              className="size-7"
              aria-label="Delete schedule"
              onClick={async () => {
                const yes = await confirm({
                  title: "Delete this schedule?",
                  description: <span className="break-words">{s.goal}</span>,
                  confirmLabel: "Delete schedule",
                });
                if (yes) void act(() => request(`${base}/${s.id}`, { method: "DELETE" }));
              }}
            >
              <Trash2 />
            </Button>
          </li>
        ))}
      </ul>
    </section>
  );
}
