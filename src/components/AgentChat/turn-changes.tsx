"use client";

import { ChevronRight, History, Undo2 } from "lucide-react";
import { useState } from "react";
import { Button } from "@/components/ui/button.tsx";
import { ConfirmDialog } from "@/components/ui/confirm-dialog.tsx";
import { useAgentWorkspace } from "./agent-context.tsx";
import { type Checkpoint, type CheckpointDiff, errorMessage } from "./agent-api.ts";
import { DiffView } from "./diff-view.tsx";
import type { TurnCheckpoints } from "./use-checkpoints.ts";

type Confirm = { target: Checkpoint; title: string; label: string } | null;

/**
 * Under a turn that changed files: what it changed (its diff, loaded when opened) and "Restore to here", which puts
 * the workspace's files back as this turn left them (or, with the second button, as they were before it). Every
 * restore can be undone.
 */
export function TurnChanges({ turn, onRestored }: { turn: TurnCheckpoints; onRestored?: () => void }) {
  const { api } = useAgentWorkspace();
  const [diff, setDiff] = useState<CheckpointDiff | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<Confirm>(null);
  const [undo, setUndo] = useState<Checkpoint | null>(null);
  const { before, after } = turn;
  if (!before) return null;

  async function loadDiff() {
    if (diff || !before) return;
    try {
      setDiff(await api.checkpointDiff(before.id, after?.id ?? "now"));
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  async function restore(target: Checkpoint) {
    const result = await api.restoreCheckpoint(target.id);
    setUndo(result.undo);
    setConfirm(null);
    onRestored?.();
  }

  return (
    <div className="-mt-3 grid gap-1.5 text-xs" data-testid="turn-changes">
      <div className="flex flex-wrap items-center gap-2">
        <details className="group min-w-0 flex-1" onToggle={(e) => e.currentTarget.open && void loadDiff()}>
          <summary className="flex cursor-pointer list-none items-center gap-1 text-muted-foreground select-none hover:text-foreground">
            <ChevronRight className="size-3.5 transition-transform group-open:rotate-90" />
            {after ? "Files changed in this turn" : "Changes since this turn started"}
          </summary>
          <div className="mt-2">
            {error && <p className="text-destructive">{error}</p>}
            {diff ? <DiffView diff={diff} /> : !error && <p className="text-muted-foreground">Loading…</p>}
          </div>
        </details>
        <Button
          variant="ghost"
          size="sm"
          className="h-7 px-2 text-xs"
          onClick={() =>
            setConfirm({
              target: after ?? before,
              title: "Restore the files to here?",
              label: "Restore to here",
            })
          }
        >
          <History className="size-3.5" /> Restore to here
        </Button>
        {after && (
          <Button
            variant="ghost"
            size="sm"
            className="h-7 px-2 text-xs"
            onClick={() => setConfirm({ target: before, title: "Restore the files to before this turn?", label: "Restore to before" })}
          >
            <Undo2 className="size-3.5" /> Before this turn
          </Button>
        )}
      </div>
      {undo && (
        <p role="status" className="flex items-center gap-2 text-muted-foreground">
          Files restored.
          <Button variant="link" size="sm" className="h-auto p-0 text-xs" onClick={() => void restore(undo)}>
            Undo the restore
          </Button>
        </p>
      )}
      <ConfirmDialog
        open={confirm !== null}
        onClose={() => setConfirm(null)}
        onConfirm={() => confirm && restore(confirm.target)}
        title={confirm?.title ?? ""}
        description="The workspace's files (not node_modules, .git or build caches) go back to that point. The files as they are now are checkpointed first, so you can undo this."
        confirmLabel={confirm?.label ?? "Restore"}
        destructive={false}
      />
    </div>
  );
}
