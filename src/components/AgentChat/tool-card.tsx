"use client";

import { CheckCircle2, ChevronRight, Hand, Loader2, Wrench, XCircle } from "lucide-react";
import { useEffect, useRef, useState } from "react";
import type { ApprovalDecision } from "@/agent/wire.ts";
import { Button } from "@/components/ui/button.tsx";
import { cn } from "@/lib/ui/cn.ts";

export interface ToolPart {
  type: string;
  /** A dynamic-tool part's name: a call of a tool the turn did not offer (a connector its user has not connected). */
  toolName?: string;
  toolCallId: string;
  state: string;
  input?: unknown;
  output?: unknown;
  errorText?: string;
  approval?: { id: string; approved?: boolean };
}

/** What the person deciding a waiting call chose; "always" also sets the agent's policy for the tool to Allow. */
export type ApprovalChoice = "once" | "always" | "deny";

const FOLD_LINES = 12;

/** The one-line summary of a call's arguments: the command, the path, or compact JSON. */
function summarize(input: unknown): string {
  if (!input || typeof input !== "object") return input === undefined ? "" : String(input);
  const record = input as Record<string, unknown>;
  for (const key of ["command", "path", "url", "id", "note", "message", "language"]) {
    if (typeof record[key] === "string") return record[key] as string;
  }
  if (typeof record.from === "string" && typeof record.to === "string") return `${record.from} → ${record.to}`;
  return JSON.stringify(input);
}

function FoldedText({ label, text, tone }: { label: string; text: string; tone?: "error" }) {
  const lines = text.split("\n");
  const [open, setOpen] = useState(lines.length <= FOLD_LINES);
  const shown = open ? text : lines.slice(0, FOLD_LINES).join("\n");
  return (
    <div>
      <div className="mb-0.5 text-[11px] font-medium uppercase tracking-wide text-muted-foreground">{label}</div>
      <pre
        className={cn(
          "max-h-96 overflow-auto whitespace-pre-wrap break-all rounded bg-muted/60 p-2 font-mono text-xs",
          tone === "error" && "text-destructive",
        )}
      >
        {shown}
      </pre>
      {lines.length > FOLD_LINES && (
        <button type="button" className="mt-1 text-xs text-primary hover:underline" onClick={() => setOpen((o) => !o)}>
          {open ? "Show less" : `Show all ${lines.length} lines`}
        </button>
      )}
    </div>
  );
}

function OutputView({ output }: { output: unknown }) {
  if (output && typeof output === "object") {
    const o = output as Record<string, unknown>;
    if ("stdout" in o || "stderr" in o) {
      return (
        <>
          {typeof o.stdout === "string" && o.stdout && <FoldedText label="stdout" text={o.stdout} />}
          {typeof o.stderr === "string" && o.stderr && <FoldedText label="stderr" text={o.stderr} tone="error" />}
          {typeof o.error === "string" && <FoldedText label="error" text={o.error} tone="error" />}
          {!o.stdout && !o.stderr && !o.error && <p className="text-xs text-muted-foreground">No output</p>}
        </>
      );
    }
    if (typeof o.content === "string") return <FoldedText label="content" text={o.content} />;
    if (typeof o.output === "string") return <FoldedText label="output" text={o.output} />;
    if (typeof o.diff === "string") return <FoldedText label="diff" text={o.diff} />;
  }
  return <FoldedText label="result" text={JSON.stringify(output, null, 2) ?? ""} />;
}

/** The question on a call waiting for approval: its exact arguments and the three answers. */
function ApprovalRequest({ part, onDecide }: { part: ToolPart; onDecide?: (part: ToolPart, choice: ApprovalChoice) => void }) {
  const [sent, setSent] = useState(false);
  const choose = (choice: ApprovalChoice) => {
    setSent(true);
    onDecide?.(part, choice);
  };
  return (
    <div className="space-y-2 border-t bg-amber-500/5 px-3 py-2" data-testid="approval-request">
      <p className="flex items-center gap-1.5 text-xs font-medium">
        <Hand className="size-3.5 text-amber-600" /> The agent asks to run this call:
      </p>
      <FoldedText label="arguments" text={JSON.stringify(part.input, null, 2) ?? ""} />
      <div className="flex flex-wrap gap-2">
        <Button size="sm" disabled={sent || !onDecide} onClick={() => choose("once")}>
          Allow once
        </Button>
        <Button size="sm" variant="outline" disabled={sent || !onDecide} onClick={() => choose("always")}>
          Always allow
        </Button>
        <Button size="sm" variant="outline" disabled={sent || !onDecide} onClick={() => choose("deny")}>
          Deny
        </Button>
      </div>
    </div>
  );
}

/** Who decided a call that waited for approval, and when. */
function DecisionLine({ decision }: { decision: ApprovalDecision }) {
  const verb = decision.approved ? (decision.always ? "Always allowed" : "Allowed") : "Denied";
  return (
    <p className="border-t px-3 py-1.5 text-[11px] text-muted-foreground" data-testid="approval-decision">
      {verb} by {decision.by.name} at {new Date(decision.at).toLocaleString()}
    </p>
  );
}

/** A tool call as a compact card: name, arguments, then on demand its result; duration and exit code at a glance. */
export function ToolCard({
  part,
  decision,
  onDecide,
}: {
  part: ToolPart;
  /** The recorded decision, when the call waited for approval. */
  decision?: ApprovalDecision;
  onDecide?: (part: ToolPart, choice: ApprovalChoice) => void;
}) {
  const name = part.type.startsWith("tool-") ? part.type.slice(5) : (part.toolName ?? part.type);
  const done = part.state === "output-available";
  const failed = part.state === "output-error" || part.state === "output-denied";
  const waiting = part.state === "approval-requested";
  const output = (done ? part.output : undefined) as Record<string, unknown> | undefined;
  const exitCode = typeof output?.exitCode === "number" ? output.exitCode : undefined;
  const started = useRef(Date.now());
  const [measured, setMeasured] = useState<number>();
  useEffect(() => {
    if ((done || failed) && measured === undefined && Date.now() - started.current > 50) setMeasured(Date.now() - started.current);
  }, [done, failed, measured]);
  const durationMs = typeof output?.durationMs === "number" ? output.durationMs : measured;
  const bad = failed || (exitCode !== undefined && exitCode !== 0);
  const [open, setOpen] = useState(false);
  return (
    <div
      className={cn("my-2 rounded-lg border bg-card text-sm", bad && "border-destructive/40")}
      data-testid="tool-card"
      data-tool={name}
      data-state={part.state}
    >
      <button
        type="button"
        className="flex w-full min-w-0 items-center gap-2 px-3 py-2 text-left"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
      >
        <ChevronRight className={cn("size-4 shrink-0 text-muted-foreground transition-transform", open && "rotate-90")} />
        <Wrench className="size-3.5 shrink-0 text-muted-foreground" />
        <span className="shrink-0 font-mono text-xs font-semibold">{name}</span>
        <span className="min-w-0 flex-1 truncate font-mono text-xs text-muted-foreground">{summarize(part.input)}</span>
        {exitCode !== undefined && (
          <span
            className={cn(
              "shrink-0 rounded px-1.5 font-mono text-[11px]",
              exitCode === 0 ? "bg-emerald-500/10 text-emerald-700 dark:text-emerald-400" : "bg-destructive/10 text-destructive",
            )}
          >
            exit {exitCode}
          </span>
        )}
        {durationMs !== undefined && (
          <span className="shrink-0 text-[11px] text-muted-foreground">
            {durationMs < 1000 ? `${durationMs} ms` : `${(durationMs / 1000).toFixed(1)} s`}
          </span>
        )}
        {done && !bad && <CheckCircle2 className="size-4 shrink-0 text-emerald-600" aria-label="Succeeded" />}
        {bad && <XCircle className="size-4 shrink-0 text-destructive" aria-label="Failed" />}
        {waiting && <Hand className="size-4 shrink-0 text-amber-600" aria-label="Waiting for approval" />}
        {!done && !failed && !waiting && <Loader2 className="size-4 shrink-0 animate-spin text-muted-foreground" aria-label="Running" />}
      </button>
      {open && (
        <div className="space-y-2 border-t px-3 py-2">
          <FoldedText label="arguments" text={JSON.stringify(part.input, null, 2) ?? ""} />
          {done && <OutputView output={part.output} />}
          {failed && (
            <FoldedText
              label="error"
              text={part.state === "output-denied" ? "Denied: the call did not run." : (part.errorText ?? "The tool call failed")}
              tone="error"
            />
          )}
        </div>
      )}
      {waiting && <ApprovalRequest part={part} onDecide={onDecide} />}
      {decision && <DecisionLine decision={decision} />}
    </div>
  );
}
