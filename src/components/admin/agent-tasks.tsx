"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { adminRequest } from "./admin-api.ts";
import type { Task } from "@/agent/tasks.ts";

type TaskView = Task;

/** Loads an agent's tasks from its Durable Object on demand, with a stop button for running ones. */
export function AgentTasksButton({ agentId }: { agentId: string }) {
  const [tasks, setTasks] = useState<TaskView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function load() {
    setPending(true);
    setError(null);
    try {
      setTasks((await adminRequest<{ tasks: TaskView[] }>(`/api/admin/agents/${agentId}/tasks`, "GET")).tasks);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setPending(false);
    }
  }

  async function stop(taskId: string) {
    setPending(true);
    try {
      await adminRequest(`/api/admin/agents/${agentId}/tasks/${taskId}`, "DELETE");
      await load();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setPending(false);
    }
  }

  if (!tasks) {
    return (
      <div>
        <Button size="sm" variant="outline" disabled={pending} onClick={load}>
          Show tasks
        </Button>
        {error && <p className="text-xs text-destructive">{error}</p>}
      </div>
    );
  }
  const running = tasks.filter((t) => t.status === "running");
  return (
    <div className="min-w-56 space-y-1">
      <p className="text-muted-foreground">
        {tasks.length} tasks, {running.length} running
      </p>
      <ul className="space-y-1">
        {tasks.slice(0, 10).map((t) => (
          <li key={t.id} className="flex items-center justify-between gap-2">
            <span className="min-w-0 truncate" title={t.goal}>
              {t.status === "running" ? "● " : ""}
              {t.goal}
            </span>
            {t.status === "running" ? (
              <Button size="sm" variant="destructive" disabled={pending} onClick={() => stop(t.id)}>
                Stop
              </Button>
            ) : (
              <span className="shrink-0 text-xs text-muted-foreground">{t.status}</span>
            )}
          </li>
        ))}
      </ul>
      {error && <p className="text-xs text-destructive">{error}</p>}
    </div>
  );
}
