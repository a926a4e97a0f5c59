"use client";

import { CheckCircle2, Loader2, Rocket, RotateCcw, Trash2, X, XCircle } from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Dialog } from "@/components/ui/dialog.tsx";
import { Input } from "@/components/ui/input.tsx";
import { Label } from "@/components/ui/label.tsx";
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

/** An apply that failed, kept so the panel can retry it or clean up after it. */
interface Failure {
  template: Template;
  dir: string;
  /** The directory was there before (nothing was copied), so retrying needs another one or its deletion. */
  taken: boolean;
  /** Files were copied before it failed: the directory is this apply's own and a retry may replace it. */
  copied: boolean;
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
  const { agentId, api } = useAgentWorkspace();
  const [templates, setTemplates] = useState<Template[] | null>(null);
  const [error, setError] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [running, setRunning] = useState<string | null>(null);
  const [steps, setSteps] = useState<Record<string, Progress["status"]>>({});
  const [output, setOutput] = useState("");
  const [dir, setDir] = useState("");
  const [failure, setFailure] = useState<Failure | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);

  useEffect(() => {
    requestJson<{ templates: Template[] }>("/api/templates")
      .then((r) => setTemplates(r.templates))
      .catch((e) => setError(errorMessage(e)));
  }, []);

  async function start(template: Template, replace = false) {
    const target =
      dir
        .trim()
        .replace(/^\.\/+/, "")
        .replace(/\/+$/, "") || template.name;
    setRunning(template.name);
    setSteps({});
    setOutput("");
    setError(undefined);
    setNotice(undefined);
    setFailure(null);
    let copied = false;
    const fail = (message: string, taken = false) => {
      setError(message);
      // The step that was under way when the apply stopped is the one that failed.
      setSteps((current) =>
        Object.fromEntries(Object.entries(current).map(([id, status]) => [id, status === "started" ? "failed" : status])),
      );
      setFailure({ template, dir: target, taken, copied });
    };
    try {
      const response = await request(`/api/agent/${agentId}/template`, {
        method: "POST",
        body: JSON.stringify({ template: template.name, dir: target, ...(replace ? { replace: true } : {}) }),
      });
      for await (const event of sseEvents(response)) {
        if (event.type === "step" && event.step) {
          setSteps((s) => ({ ...s, [event.step!]: event.status }));
          if (event.step === "copy" && event.status === "done") copied = true;
          if (event.status === "failed") fail(event.message ?? `The ${event.step} step failed.`);
        } else if (event.type === "output" && event.data) setOutput((o) => (o + event.data).slice(-20_000));
        else if (event.type === "error") fail(event.message ?? "The template could not be applied.", event.code === "conflict" && !copied);
        else if (event.type === "ready" && event.url) return onReady(event.port ?? template.port);
      }
    } catch (e) {
      fail(errorMessage(e));
    } finally {
      setRunning(null);
    }
  }

  async function deleteFailedDir() {
    if (!failure) return;
    setConfirmDelete(false);
    try {
      await api.remove(failure.dir);
      setNotice(`Deleted ${failure.dir}/. Start the template again when you are ready.`);
      setFailure({ ...failure, taken: false, copied: false });
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
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
          <p>{error}</p>
          {failure && !running && (
            <div className="mt-2 flex flex-wrap gap-2">
              {/* A retry into a directory this apply created replaces it; one that was there before needs a choice. */}
              <Button size="sm" variant="outline" onClick={() => void start(failure.template, failure.copied && !failure.taken)}>
                <RotateCcw /> Try again
              </Button>
              {(failure.taken || failure.copied) && (
                <Button size="sm" variant="outline" onClick={() => setConfirmDelete(true)}>
                  <Trash2 /> Delete {failure.dir}/
                </Button>
              )}
            </div>
          )}
        </Alert>
      )}
      {notice && !error && (
        <Alert variant="success" className="mb-3" role="status">
          {notice}
        </Alert>
      )}
      <Dialog
        open={confirmDelete}
        onClose={() => setConfirmDelete(false)}
        title={`Delete ${failure?.dir ?? ""}/?`}
        description="Everything in this directory of the workspace is deleted. This cannot be undone."
      >
        <div className="flex justify-end gap-2">
          <Button variant="outline" onClick={() => setConfirmDelete(false)}>
            Cancel
          </Button>
          <Button variant="destructive" onClick={() => void deleteFailedDir()}>
            Delete
          </Button>
        </div>
      </Dialog>
      <div className="mb-3 grid gap-1.5">
        <Label htmlFor="template-dir">Directory in the workspace</Label>
        <Input
          id="template-dir"
          value={dir}
          onChange={(e) => setDir(e.target.value)}
          placeholder="The template's name, e.g. nextjs"
          aria-describedby="template-dir-hint"
          className="max-w-xs font-mono"
          disabled={running !== null}
        />
        <p id="template-dir-hint" className="text-xs text-muted-foreground">
          It must be new or empty. The dev server takes port 8080, or the next free one.
        </p>
      </div>
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
      {(running || failure) && Object.keys(steps).length > 0 && (
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
