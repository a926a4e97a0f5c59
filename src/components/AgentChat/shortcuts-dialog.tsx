"use client";

import { Dialog } from "@/components/ui/dialog.tsx";
import { SHORTCUTS } from "./shortcuts.ts";

/** The keyboard shortcuts of the agent screen, opened with `?` or the header's keyboard button. */
export function ShortcutsDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  return (
    <Dialog open={open} onClose={onClose} title="Keyboard shortcuts">
      <dl className="grid grid-cols-[1fr_auto] gap-x-6 gap-y-2 text-sm" aria-label="Keyboard shortcuts">
        {SHORTCUTS.map((s) => (
          <div key={s.id} className="contents">
            <dt>{s.description}</dt>
            <dd className="flex justify-end gap-1">
              {s.keys.map((key) => (
                <kbd key={key} className="rounded border bg-muted px-1.5 py-0.5 font-mono text-xs">
                  {key}
                </kbd>
              ))}
            </dd>
          </div>
        ))}
      </dl>
      <p className="mt-4 text-xs text-muted-foreground">Single keys work when you are not typing in a field.</p>
    </Dialog>
  );
}
