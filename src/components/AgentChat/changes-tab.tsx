"use client";

import { History, RefreshCw } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import { cn } from "@/lib/ui/cn.ts";
import { useAgentWorkspace } from "./agent-context.tsx";
import { type Checkpoint, type CheckpointDiff, errorMessage, relativeTime } from "./agent-api.ts";
import { DiffView } from "./diff-view.tsx";
import { GitPanel } from "./git-panel.tsx";
import { useCheckpoints } from "./use-checkpoints.ts";

const KIND_LABEL: Record<Checkpoint["kind"], string> = {
  "before-turn": "Before a turn",
  "after-turn": "After a turn",
  manual: "Saved by hand",
  "before-restore": "Before a restore",
};

/** The workspace's changes: its checkpoints, or a repository's git status (a switch at the top). */
export function ChangesTab() {
  const [view, setView] = useState<"checkpoints" | "git">("checkpoints");
  return (
    <div className="flex h-full min-h-0 flex-col" data-testid="changes-tab">
      <div className="flex shrink-0 gap-1 border-b px-3 py-1.5" role="group" aria-label="Changes view">
        {(["checkpoints", "git"] as const).map((id) => (
          <Button key={id} size="sm" variant={view === id ? "secondary" : "ghost"} aria-pressed={view === id} onClick={() => setView(id)}>
            {id === "checkpoints" ? "Checkpoints" : "Git"}
          </Button>
        ))}
      </div>
      <div className="min-h-0 flex-1">{view === "checkpoints" ? <CheckpointsView /> : <GitPanel />}</div>
    </div>
  );
}

/** Every checkpoint of the workspace, newest first: what changed since each one, and a restore to it. */
function CheckpointsView() {
  const { api, threads } = useAgentWorkspace();
  const { checkpoints, error, reload } = useCheckpoints();
  const [selected, setSelected] = useState<Checkpoint | null>(null);
  const [diff, setDiff] = useState<{ id: string; diff?: CheckpointDiff; error?: string } | null>(null);
  const [confirm, setConfirm] = useState<Checkpoint | null>(null);
  const [restored, setRestored] = useState<Checkpoint | null>(null);

  async function select(checkpoint: Checkpoint) {
    setSelected(checkpoint);
    setDiff({ id: checkpoint.id });
    try {
      const result = await api.checkpointDiff(checkpoint.id, "now");
      setDiff((d) => (d?.id === checkpoint.id ? { id: checkpoint.id, diff: result } : d));
    } catch (e) {
      setDiff((d) => (d?.id === checkpoint.id ? { id: checkpoint.id, error: errorMessage(e) } : d));
    }
  }

  async function restore(checkpoint: Checkpoint) {
    const result = await api.restoreCheckpoint(checkpoint.id);
    setRestored(result.undo);
    setConfirm(null);
    reload();
    await select(checkpoint);
  }

  const threadTitle = (id: string | null) => (id ? (threads?.find((t) => t.id === id)?.title ?? "a thread") : null);

  return (
    <div className="grid h-full min-h-0 grid-rows-[auto_minmax(0,1fr)_minmax(0,2fr)]" data-testid="checkpoints-view">
      <div className="flex items-center justify-between border-b px-3 py-2 text-sm">
        <span className="text-muted-foreground">Checkpoints of the workspace's files (the last 20 per thread)</span>
        <Button variant="ghost" size="icon" aria-label="Reload checkpoints" onClick={reload}>
          <RefreshCw className="size-4" />
        </Button>
      </div>
      <ul className="overflow-y-auto border-b text-sm" aria-label="Checkpoints">
        {error && <li className="px-3 py-2 text-destructive">{error}</li>}
        {checkpoints?.length === 0 && (
          <li className="px-3 py-6 text-center text-muted-foreground">
            No checkpoints yet: one is taken before each turn that changes files.
          </li>
        )}
        {checkpoints?.map((c) => (
          <li key={c.id}>
            <button
              type="button"
              className={cn("flex w-full items-center gap-3 px-3 py-1.5 text-left hover:bg-muted/50", selected?.id === c.id && "bg-muted")}
              onClick={() => void select(c)}
            >
              <span className="font-medium">{KIND_LABEL[c.kind]}</span>
              <span className="truncate text-muted-foreground">{threadTitle(c.threadId)}</span>
              <span className="ml-auto shrink-0 text-xs text-muted-foreground" title={c.createdAt}>
                {relativeTime(c.createdAt)} · {c.files} files
              </span>
            </button>
          </li>
        ))}
      </ul>
      <div className="overflow-y-auto p-3">
        {restored && (
          <p role="status" className="mb-2 flex items-center gap-2 text-xs text-muted-foreground">
            Files restored.
            <Button variant="link" size="sm" className="h-auto p-0 text-xs" onClick={() => void restore(restored)}>
              Undo the restore
            </Button>
          </p>
        )}
        {selected ? (
          <div className="grid gap-2">
            <div className="flex items-center justify-between gap-2 text-sm">
              <span>Changes since this checkpoint</span>
              <Button size="sm" variant="outline" onClick={() => setConfirm(selected)}>
                <History className="size-4" /> Restore
              </Button>
            </div>
            {diff?.error && <p className="text-sm text-destructive">{diff.error}</p>}
            {diff?.diff ? <DiffView diff={diff.diff} /> : !diff?.error && <p className="text-xs text-muted-foreground">Loading…</p>}
          </div>
        ) : (
          <p className="text-sm text-muted-foreground">Choose a checkpoint to see what changed since.</p>
        )}
      </div>
      <ConfirmDialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        onConfirm={() => confirm && restore(confirm)}
        title="Restore the files to this checkpoint?"
        description="The workspace's files (not node_modules, .git or build caches) go back to that point. The files as they are now are checkpointed first, so you can undo this."
        confirmLabel="Restore"
        destructive={false}
      />
    </div>
  );
}
