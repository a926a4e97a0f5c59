"use client";

import { ArrowUpFromLine, GitCommitHorizontal, RefreshCw } from "lucide-react";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { Input } from "@/components/ui/input.tsx";
import { useAgentWorkspace } from "./agent-context.tsx";
import { type ExecResult, errorMessage, type GitStatus } from "./agent-api.ts";
import { PatchView } from "./diff-view.tsx";

/** A repository of the workspace: its status and uncommitted diff, a commit of everything, and a push. */
export function GitPanel() {
  const { api, workspaceVersion } = useAgentWorkspace();
  const [dir, setDir] = useState(".");
  const [status, setStatus] = useState<GitStatus | null>(null);
  const [diff, setDiff] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [message, setMessage] = useState("");
  const [output, setOutput] = useState<ExecResult | null>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(async () => {
    try {
      const [nextStatus, nextDiff] = await Promise.all([api.gitStatus(dir), api.gitDiff(dir)]);
      setStatus(nextStatus);
      setDiff(nextDiff);
      setError(null);
    } catch (e) {
      setStatus(null);
      setDiff("");
      setError(errorMessage(e));
    }
  }, [api, dir]);
  // workspaceVersion is a reload trigger: the agent changed files.
  useEffect(() => void load(), [load, workspaceVersion]);

  async function run(action: () => Promise<ExecResult>) {
    setBusy(true);
    try {
      setOutput(await action());
      await load();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  }

  function commit(event: FormEvent) {
    event.preventDefault();
    if (!message.trim()) return;
    void run(async () => {
      const result = await api.gitCommit(dir, message.trim());
      if (result.exitCode === 0) setMessage("");
      return result;
    });
  }

  return (
    <div className="flex h-full min-h-0 flex-col gap-3 overflow-y-auto p-3 text-sm" data-testid="git-panel">
      <form
        className="flex items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          void load();
        }}
      >
        <label htmlFor="git-dir" className="shrink-0 text-muted-foreground">
          Repository
        </label>
        <Input id="git-dir" value={dir} onChange={(e) => setDir(e.target.value || ".")} className="h-8 font-mono" />
        <Button type="submit" variant="ghost" size="icon" aria-label="Reload git status">
          <RefreshCw className="size-4" />
        </Button>
      </form>
      {error && <p className="text-destructive">{error}</p>}
      {status && (
        <div className="grid gap-1" data-testid="git-status">
          <p>
            On branch <span className="font-mono">{status.branch ?? "(none)"}</span>
            {status.clean && " · nothing to commit"}
          </p>
          <ul className="grid gap-0.5 font-mono text-xs">
            {status.entries.map((entry) => (
              <li key={entry.path}>
                <span className="inline-block w-6 text-muted-foreground">{entry.status}</span>
                {entry.path}
              </li>
            ))}
          </ul>
        </div>
      )}
      {status && !status.clean && (
        <form className="flex items-center gap-2" onSubmit={commit}>
          <Input placeholder="Commit message" aria-label="Commit message" value={message} onChange={(e) => setMessage(e.target.value)} />
          <Button type="submit" size="sm" disabled={busy || !message.trim()}>
            <GitCommitHorizontal className="size-4" /> Commit all
          </Button>
        </form>
      )}
      {status && (
        <div>
          <Button variant="outline" size="sm" disabled={busy} onClick={() => void run(() => api.gitPush(dir))}>
            <ArrowUpFromLine className="size-4" /> Push
          </Button>
        </div>
      )}
      {output && (
        <pre className="max-h-40 overflow-auto rounded-md border bg-muted/30 p-2 font-mono text-xs" data-testid="git-output">
          {[output.stdout, output.stderr].filter(Boolean).join("\n") || `exit code ${output.exitCode}`}
        </pre>
      )}
      {diff && <PatchView patch={diff} />}
    </div>
  );
}
