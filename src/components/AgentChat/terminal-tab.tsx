"use client";

import { Loader2, Play, Trash2 } from "lucide-react";
import { useState, type FormEvent } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Input } from "@/components/ui/input.tsx";
import { cn } from "@/lib/ui/cn.ts";
import { errorMessage, type ExecResult } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

interface Run {
  id: number;
  command: string;
  result?: ExecResult;
  error?: string;
}

/** Runs one command at a time in the workspace and keeps the session's results. */
export function TerminalTab() {
  const { api } = useAgentWorkspace();
  const [command, setCommand] = useState("");
  const [runs, setRuns] = useState<Run[]>([]);
  const [running, setRunning] = useState(false);

  async function run(event: FormEvent) {
    event.preventDefault();
    const text = command.trim();
    if (!text || running) return;
    const id = Date.now();
    setRuns((r) => [...r, { id, command: text }]);
    setCommand("");
    setRunning(true);
    try {
      const result = await api.exec(text);
      setRuns((r) => r.map((x) => (x.id === id ? { ...x, result } : x)));
    } catch (e) {
      setRuns((r) => r.map((x) => (x.id === id ? { ...x, error: errorMessage(e) } : x)));
    } finally {
      setRunning(false);
    }
  }

  return (
    <div className="flex h-full min-h-0 flex-col">
      <div
        className="min-h-0 flex-1 overflow-y-auto bg-zinc-950 p-3 font-mono text-xs text-zinc-100"
        aria-label="Command output"
        role="log"
      >
        {runs.length === 0 && <p className="text-zinc-400">Run a shell command in the agent&apos;s workspace. Output appears here.</p>}
        {runs.map((r) => (
          <div key={r.id} className="mb-3" data-testid="command-run">
            <p className="text-emerald-400">
              $ <span className="text-zinc-100">{r.command}</span>
            </p>
            {!r.result && !r.error && <Loader2 className="mt-1 size-3.5 animate-spin text-zinc-400" />}
            {r.result?.stdout && <pre className="whitespace-pre-wrap break-all">{r.result.stdout}</pre>}
            {r.result?.stderr && <pre className="whitespace-pre-wrap break-all text-red-300">{r.result.stderr}</pre>}
            {r.result?.error && <p className="text-amber-300">{r.result.error.message}</p>}
            {r.error && <p className="text-red-300">{r.error}</p>}
            {r.result && (
              <p className={cn("mt-0.5 text-[11px]", r.result.exitCode === 0 ? "text-zinc-500" : "text-red-400")}>
                exit {r.result.exitCode} · {r.result.durationMs} ms{r.result.truncated ? " · output truncated" : ""}
              </p>
            )}
          </div>
        ))}
      </div>
      <form onSubmit={run} className="flex gap-2 border-t p-2">
        <Input
          value={command}
          onChange={(e) => setCommand(e.target.value)}
          placeholder="ls -la"
          aria-label="Command"
          className="font-mono"
        />
        <Button type="submit" disabled={running || !command.trim()}>
          {running ? <Loader2 className="animate-spin" /> : <Play />} Run
        </Button>
        <Button
          type="button"
          variant="ghost"
          size="icon"
          aria-label="Clear output"
          onClick={() => setRuns([])}
          disabled={runs.length === 0}
        >
          <Trash2 />
        </Button>
      </form>
    </div>
  );
}
