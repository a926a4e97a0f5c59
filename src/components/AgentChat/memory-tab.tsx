"use client";

import { Loader2, Pencil, Plus, Trash2 } from "lucide-react";
import { useCallback, useEffect, useState, type FormEvent } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { useConfirm } from "@/components/ui/confirm-dialog.tsx";
import { Textarea } from "@/components/ui/textarea.tsx";
import { errorMessage, relativeTime, type MemoryNote } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";

/** The agent's long-term memory notes: what it sees in every conversation. */
export function MemoryTab() {
  const { api, threads } = useAgentWorkspace();
  const [notes, setNotes] = useState<MemoryNote[] | null>(null);
  const [error, setError] = useState<string>();
  const [draft, setDraft] = useState("");
  const [editing, setEditing] = useState<{ id: string; text: string } | null>(null);
  const [confirm, confirmDialog] = useConfirm();

  const load = useCallback(async () => {
    try {
      setNotes(await api.notes());
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [api]);
  // A finished turn may have added a note (the `remember` tool).
  const turnsDone = threads?.filter((t) => !t.running).length;
  useEffect(() => {
    void load();
  }, [load, turnsDone]);

  async function act(run: () => Promise<unknown>) {
    try {
      await run();
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  function add(event: FormEvent) {
    event.preventDefault();
    if (!draft.trim()) return;
    void act(async () => {
      await api.addNote(draft.trim());
      setDraft("");
    });
  }

  return (
    <div className="h-full min-h-0 overflow-y-auto">
      <form onSubmit={add} className="space-y-2 border-b p-3">
        <Textarea
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          maxLength={2000}
          rows={2}
          placeholder="Something the agent should always remember"
          aria-label="New memory note"
        />
        <div className="flex items-center justify-between gap-2">
          <p className="text-xs text-muted-foreground">The newest notes go into every conversation.</p>
          <Button type="submit" size="sm" disabled={!draft.trim()}>
            <Plus /> Add note
          </Button>
        </div>
      </form>
      {error && (
        <Alert variant="destructive" className="m-2">
          {error}
        </Alert>
      )}
      <div>
        {!notes && !error && (
          <p className="flex items-center gap-2 p-3 text-sm text-muted-foreground" role="status">
            <Loader2 className="size-4 animate-spin" /> Loading memory…
          </p>
        )}
        {notes?.length === 0 && (
          <p className="p-4 text-sm text-muted-foreground">
            No memory notes yet. The agent saves notes when you ask it to remember something.
          </p>
        )}
        <ul aria-label="Memory notes">
          {notes?.map((note) => (
            <li key={note.id} className="border-b px-3 py-2">
              {editing?.id === note.id ? (
                <form
                  className="space-y-2"
                  onSubmit={(e) => {
                    e.preventDefault();
                    void act(async () => {
                      await api.editNote(note.id, editing.text);
                      setEditing(null);
                    });
                  }}
                >
                  <Textarea
                    value={editing.text}
                    maxLength={2000}
                    onChange={(e) => setEditing({ id: note.id, text: e.target.value })}
                    aria-label="Edit memory note"
                  />
                  <div className="flex justify-end gap-2">
                    <Button type="button" variant="outline" size="sm" onClick={() => setEditing(null)}>
                      Cancel
                    </Button>
                    <Button type="submit" size="sm" disabled={!editing.text.trim()}>
                      Save
                    </Button>
                  </div>
                </form>
              ) : (
                <div className="flex items-start gap-2">
                  <div className="min-w-0 flex-1">
                    <p className="whitespace-pre-wrap break-words text-sm">{note.text}</p>
                    <p className="text-[11px] text-muted-foreground">{relativeTime(note.updatedAt)}</p>
                  </div>
                  <Button
                    variant="ghost"
                    size="icon"
                    className="size-7"
                    aria-label="Edit note"
                    onClick={() => setEditing({ id: note.id, text: note.text })}
                  >
                    <Pencil />
                  </Button>
                  <Button
                    variant="ghost"
                    size="icon"
                    className="size-7"
                    aria-label="Delete note"
                    onClick={async () => {
                      const yes = await confirm({
                        title: "Delete this memory note?",
                        description: "The agent stops seeing it in its conversations.",
                        confirmLabel: "Delete note",
                      });
                      if (yes) void act(() => api.deleteNote(note.id));
                    }}
                  >
                    <Trash2 />
                  </Button>
                </div>
              )}
            </li>
          ))}
        </ul>
      </div>
      {confirmDialog}
    </div>
  );
}
