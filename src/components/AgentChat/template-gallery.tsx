"use client";

import { CheckCircle2, Loader2, Rocket, X, XCircle } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { cn } from "@/lib/ui/cn.ts";
import { errorMessage, request, requestJson } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";
import type { TemplateInfo } from "@/lib/templates/catalog.ts";

type Template = TemplateInfo;

interface Progress {
  type: "step" | "output" | "ready" | "error";
  step?: "copy" | "install" | "start";
  status?: "started" | "done" | "failed";
  message?: string;
  data?: string;
  url?: string;
  port?: number;
  code?: string;
}

const STEPS = [
  { id: "copy", label: "Copy files" },
  { id: "install", label: "Install packages" },
  { id: "start", label: "Start the dev server" },
] as const;

/** Reads a text/event-stream body event by event. */
async function* sseEvents(response: Response): AsyncGenerator<Progress> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      if (data) yield JSON.parse(data) as Progress;
    }
  }
}

/** Project starters: one click copies the files, installs, starts the dev server and opens the preview. */
export function TemplateGallery({
  onReady,
  onClose,
  exposeForm,
}: {
  onReady: (port: number) => void;
  onClose?: () => void;
  exposeForm: ReactNode;
}) {
  const { agentId } = useAgentWorkspace();
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState<string | null>(null);
  const [steps, setSteps] = useState<Record<string, Progress["status"]>>({});
  const [output, setOutput] = useState("");

  useEffect(() => {
    requestJson<{ templates: Template[] }>("/api/templates")
      .then((r) => setTemplates(r.templates))
      .catch((e) => setError(errorMessage(e)));
  }, []);

  async function start(template: Template) {
    setRunning(template.name);
    setSteps({});
    setOutput("");
    setError(undefined);
    try {
      const response = await request(`/api/agent/${agentId}/template`, {
        method: "POST",
        body: JSON.stringify({ template: template.name }),
      });
      for await (const event of sseEvents(response)) {
        if (event.type === "step" && event.step) {
          setSteps((s) => ({ ...s, [event.step!]: event.status }));
          if (event.status === "failed") setError(event.message ?? `The ${event.step} step failed.`);
        } else if (event.type === "output" && event.data) setOutput((o) => (o + event.data).slice(-20_000));
        else if (event.type === "error") setError(event.message ?? "The template could not be applied.");
        else if (event.type === "ready" && event.url) return onReady(event.port ?? template.port);
      }
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setRunning(null);
    }
  }

  const done = STEPS.filter((s) => steps[s.id] === "done").length;
  return (
    <div className="h-full overflow-y-auto p-4">
      <div className="mb-3 flex items-start gap-2">
        <div className="min-w-0 flex-1">
          <h2 className="font-semibold">Start from a template</h2>
          <p className="text-sm text-muted-foreground">
            Creates the project in the workspace, installs it, starts its dev server and previews it here.
          </p>
        </div>
        {onClose && (
          <Button variant="ghost" size="icon" aria-label="Close templates" onClick={onClose}>
            <X />
          </Button>
        )}
      </div>
      {error && (
        <Alert variant="destructive" className="mb-3">
          {error}
        </Alert>
      )}
      {!templates && !error && (
        <p className="flex items-center gap-2 text-sm text-muted-foreground" role="status">
          <Loader2 className="size-4 animate-spin" /> Loading templates…
        </p>
      )}
      <ul className="grid gap-3 @[36rem]:grid-cols-3" aria-label="Templates">
        {templates?.map((t) => (
          <li key={t.name} className="flex flex-col gap-2 rounded-lg border bg-card p-3" aria-label={t.title}>
            <p className="font-medium">{t.title}</p>
            <p className="flex-1 text-xs text-muted-foreground">{t.description}</p>
            <Button size="sm" onClick={() => void start(t)} disabled={running !== null} aria-label={`Start from ${t.title}`}>
              {running === t.name ? <Loader2 className="animate-spin" /> : <Rocket />} Start
            </Button>
          </li>
        ))}
      </ul>
      {running && (
        <div className="mt-4 space-y-2" role="group" aria-label="Template progress">
          <div
            className="h-2 overflow-hidden rounded-full bg-muted"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={STEPS.length}
            aria-valuenow={done}
            aria-label="Template progress"
          >
            <div className="h-full bg-primary transition-all" style={{ width: `${Math.max(5, (done / STEPS.length) * 100)}%` }} />
          </div>
          <ol className="space-y-1 text-sm">
            {STEPS.map((s) => (
              <li key={s.id} className={cn("flex items-center gap-2", !steps[s.id] && "text-muted-foreground")}>
                {steps[s.id] === "done" ? (
                  <CheckCircle2 className="size-4 text-emerald-600" />
                ) : steps[s.id] === "failed" ? (
                  <XCircle className="size-4 text-destructive" />
                ) : steps[s.id] === "started" ? (
                  <Loader2 className="size-4 animate-spin" />
                ) : (
                  <span className="size-4 rounded-full border" />
                )}
                {s.label}
              </li>
            ))}
          </ol>
          {output && (
            <pre className="max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-muted/60 p-2 font-mono text-[11px]">
              {output}
            </pre>
          )}
        </div>
      )}
      <div className="mt-6 border-t pt-4">
        <p className="mb-2 text-sm text-muted-foreground">Or preview a server that is already running in the workspace:</p>
        {exposeForm}
      </div>
    </div>
  );
}
