"use client";

import type { CheckpointDiff } from "./agent-api.ts";

const STATUS_MARK = { added: "A", deleted: "D", modified: "M" } as const;

/** A unified diff as text, lines coloured by kind (always rendered as text, never as HTML). */
export function PatchView({ patch }: { patch: string }) {
  if (!patch) return <p className="px-3 py-2 text-xs text-muted-foreground">No text changes.</p>;
  return (
    <pre className="max-h-96 overflow-auto rounded-md border bg-muted/30 py-1 font-mono text-xs leading-5" data-testid="diff-patch">
      {patch.split("\n").map((line, i) => (
        <div
          // biome-ignore lint/suspicious/noArrayIndexKey: the lines of one patch never reorder
          key={i}
          className={
            line.startsWith("+") && !line.startsWith("+++")
              ? "bg-emerald-500/10 px-3 text-emerald-800 dark:text-emerald-300"
              : line.startsWith("-") && !line.startsWith("---")
                ? "bg-red-500/10 px-3 text-red-800 dark:text-red-300"
                : line.startsWith("@@") || line.startsWith("diff ")
                  ? "px-3 text-sky-700 dark:text-sky-300"
                  : "px-3"
          }
        >
          {line || " "}
        </div>
      ))}
    </pre>
  );
}

/** The files a diff touches and its patch. */
export function DiffView({ diff }: { diff: CheckpointDiff }) {
  if (diff.files.length === 0) return <p className="text-xs text-muted-foreground">No changes.</p>;
  return (
    <div className="grid gap-2" data-testid="checkpoint-diff">
      <ul className="grid gap-0.5 text-xs">
        {diff.files.map((file) => (
          <li key={file.path} className="flex items-center gap-2 font-mono">
            <span className="w-3 text-muted-foreground" title={file.status}>
              {STATUS_MARK[file.status]}
            </span>
            <span className="truncate">{file.path}</span>
            {file.binary && <span className="text-muted-foreground">(binary)</span>}
          </li>
        ))}
      </ul>
      <PatchView patch={diff.patch} />
      {diff.truncated && <p className="text-xs text-muted-foreground">The diff is too long to show in full.</p>}
    </div>
  );
}
