"use client";

import { Loader2, Play, RefreshCw, ScrollText, Square } from "lucide-react";
import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Input } from "@/components/ui/input.tsx";
import { cn } from "@/lib/ui/cn.ts";
import { errorMessage, relativeTime, type ProcessInfo } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

const MAX_LOG_CHARS = 200_000;

/** Follows a process's output over SSE until it exits. */
function ProcessLogs({ url }: { url: string }) {
  const [text, setText] = useState("");
  const [ended, setEnded] = useState(false);
  const ref = useRef<HTMLPreElement>(null);
  useEffect(() => {
    setText("");
    setEnded(false);
    const source = new EventSource(url);
    source.onmessage = (event) => {
      try {
        const data = JSON.parse(event.data) as { type: string; data?: string };
        if (data.type === "output" && data.data) setText((t) => (t + data.data).slice(-MAX_LOG_CHARS));
        if (data.type === "exit") {
          setEnded(true);
          source.close();
        }
      } catch {
        // A keep-alive or a line that is not ours.
      }
    };
    source.onerror = () => {
      if (source.readyState === EventSource.CLOSED) setEnded(true);
    };
    return () => source.close();
  }, [url]);
  useEffect(() => {
    const el = ref.current;
    if (el && el.scrollHeight - el.scrollTop - el.clientHeight < 60) el.scrollTop = el.scrollHeight;
  }, [text]);
  return (
    <div className="border-t bg-muted/30">
      <pre
        role="log"
        ref={ref}
        className="max-h-64 min-h-16 overflow-auto whitespace-pre-wrap break-all p-2 font-mono text-xs"
        aria-label="Process output"
        data-testid="process-logs"
      >
        {text || (ended ? "No output." : "Waiting for output…")}
      </pre>
      {ended && <p className="px-2 pb-1 text-[11px] text-muted-foreground">The process has exited.</p>}
    </div>
  );
}

/** Background processes: status, live logs, stop, and a form to start one. */
export function ProcessesTab() {
  const { api, workspaceVersion } = useAgentWorkspace();
  const [processes, setProcesses] = useState<ProcessInfo[] | null>(null);
  const [error, setError] = useState<string>();
  const [command, setCommand] = useState("");
  const [starting, setStarting] = useState(false);
  const [logsFor, setLogsFor] = useState<string | null>(null);

  const load = useCallback(async () => {
    try {
      setProcesses(await api.processes());
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api]);
  useEffect(() => {
    void load();
  }, [load, workspaceVersion]);
  // While something runs, poll slowly so exits show up even when nothing else changes.
  const anyRunning = processes?.some((p) => p.status === "running");
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => void load(), 5000);
    return () => clearInterval(timer);
  }, [anyRunning, load]);

  async function start(event: FormEvent) {
    event.preventDefault();
    if (!command.trim()) return;
    setStarting(true);
    try {
      const started = await api.startProcess(command.trim());
      setCommand("");
      setLogsFor(started.id);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setStarting(false);
    }
  }

  async function stop(id: string) {
    try {
      await api.stopProcess(id);
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  return (
    <div className="flex h-full min-h-0 flex-col">
      <form onSubmit={start} className="flex gap-2 border-b p-2">
        <Input
          value={command}
          onChange={(e) => setCommand(e.target.value)}
          placeholder="npm run dev"
          aria-label="Command to start in the background"
          className="font-mono"
        />
        <Button type="submit" disabled={starting || !command.trim()}>
          {starting ? <Loader2 className="animate-spin" /> : <Play />} Start
        </Button>
        <Button type="button" variant="ghost" size="icon" aria-label="Refresh processes" onClick={() => void load()}>
          <RefreshCw />
        </Button>
      </form>
      {error && (
        <Alert variant="destructive" className="m-2">
          {error}
        </Alert>
      )}
      <div className="min-h-0 flex-1 overflow-y-auto">
        {!processes && !error && (
          <p className="flex items-center gap-2 p-3 text-sm text-muted-foreground" role="status">
            <Loader2 className="size-4 animate-spin" /> Loading processes…
          </p>
        )}
        {processes?.length === 0 && (
          <p className="p-4 text-sm text-muted-foreground">
            No background processes. Dev servers and watchers the agent starts appear here.
          </p>
        )}
        <ul aria-label="Processes">
          {processes?.map((p) => (
            <li key={p.id} className="border-b" aria-label={commandText(p.command)}>
              <div className="flex items-center gap-2 px-3 py-2">
                <span
                  className={cn(
                    "size-2 shrink-0 rounded-full",
                    p.status === "running" ? "animate-pulse bg-emerald-500" : p.exitCode === 0 ? "bg-zinc-400" : "bg-destructive",
                  )}
                  aria-hidden
                />
                <div className="min-w-0 flex-1">
                  <p className="truncate font-mono text-xs">{commandText(p.command)}</p>
                  <p className="text-[11px] text-muted-foreground">
                    {p.status === "running"
                      ? `running · started ${relativeTime(p.startedAt)}`
                      : `exited${p.exitCode !== null ? ` with ${p.exitCode}` : ""}${p.reason ? ` (${p.reason})` : ""}`}
                  </p>
                </div>
                <Button
                  variant={logsFor === p.id ? "secondary" : "ghost"}
                  size="sm"
                  className="h-7"
                  aria-label={`Logs of ${p.command}`}
                  aria-pressed={logsFor === p.id}
                  onClick={() => setLogsFor(logsFor === p.id ? null : p.id)}
                >
                  <ScrollText /> Logs
                </Button>
                {p.status === "running" && (
                  <Button variant="outline" size="sm" className="h-7" aria-label={`Stop ${p.command}`} onClick={() => void stop(p.id)}>
                    <Square /> Stop
                  </Button>
                )}
              </div>
              {logsFor === p.id && <ProcessLogs url={api.logsUrl(p.id)} />}
            </li>
          ))}
        </ul>
      </div>
    </div>
  );
}

/** A process's command as one line: an argv (as the API may return it) joined by spaces. */
function commandText(command: string | string[]): string {
  return Array.isArray(command) ? command.join(" ") : command;
}
