"use client";

import { ExternalLink, LayoutTemplate, Loader2, MonitorPlay, Plus, RotateCw, X } from "lucide-react";
import { type FormEvent, type RefObject, useCallback, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { Input } from "@/components/ui/input.tsx";
import { errorMessage, type ListeningPort, request, requestJson } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";
import { TemplateGallery } from "./template-gallery.tsx";
import type { PortPreview } from "@/lib/previews/ports.ts";

export type ExposedPort = PortPreview;

/** How often the tab looks for servers that started listening in the workspace. */
const DETECT_EVERY_MS = 3000;

/**
 * Ports something listens on in the workspace, asked for only while the tab is on screen (each look is a use of the
 * workspace, which would otherwise keep an idle one from stopping while a window stays open).
 */
function useListeningPorts(root: RefObject<HTMLElement | null>): ListeningPort[] {
  const { api } = useAgentWorkspace();
  const [ports, setPorts] = useState<ListeningPort[]>([]);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      if (document.visibilityState === "visible" && root.current?.offsetParent) {
        try {
          const found = await api.listeningPorts();
          if (!stopped) setPorts((old) => (JSON.stringify(old) === JSON.stringify(found) ? old : found));
        } catch {
          // Detection is a convenience: a failed look is retried at the next tick.
        }
      }
      if (!stopped) timer = setTimeout(poll, DETECT_EVERY_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [api, root]);
  return ports;
}

/** "Open preview" buttons for ports that listen but are not previewed yet. */
function DetectedPorts({ ports, onOpen }: { ports: ListeningPort[]; onOpen: (port: number) => void }) {
  if (ports.length === 0) return null;
  return (
    <div className="flex flex-wrap items-center gap-1" role="group" aria-label="Detected ports">
      <span className="text-xs text-muted-foreground">Listening:</span>
      {ports.map((p) => (
        <Button
          key={p.port}
          variant="outline"
          size="sm"
          className="h-7 font-mono text-xs"
          aria-label={`Open preview of port ${p.port}`}
          onClick={() => onOpen(p.port)}
        >
          <MonitorPlay /> Open preview :{p.port}
        </Button>
      ))}
    </div>
  );
}

/** Live previews of the workspace's servers: exposed ports in an iframe, with reload and open-in-new-tab. */
export function PreviewTab() {
  const { agentId, workspaceVersion } = useAgentWorkspace();
  const [ports, setPorts] = useState<ExposedPort[] | null>(null);
  const [selected, setSelected] = useState<number | null>(null);
  const [error, setError] = useState<string>();
  const [port, setPort] = useState("");
  const [reloads, setReloads] = useState(0);
  const [gallery, setGallery] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const listening = useListeningPorts(root);

  const load = useCallback(async () => {
    try {
      const list = (await requestJson<{ ports: ExposedPort[] }>(`/api/agent/${agentId}/ports`)).ports;
      setPorts(list);
      setSelected((s) => (s !== null && list.some((p) => p.port === s) ? s : (list[0]?.port ?? null)));
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
    }
  }, [agentId]);
  useEffect(() => {
    void load();
  }, [load, workspaceVersion]);

  async function exposePort(n: number) {
    try {
      const exposed = await requestJson<ExposedPort>(`/api/agent/${agentId}/ports`, { method: "POST", body: JSON.stringify({ port: n }) });
      setPort("");
      setGallery(false);
      await load();
      setSelected(exposed.port);
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  function expose(event: FormEvent) {
    event.preventDefault();
    const n = Number(port);
    if (!Number.isInteger(n) || n < 1 || n > 65535) return setError("Enter a port between 1 and 65535.");
    void exposePort(n);
  }

  async function unexpose(n: number) {
    try {
      await request(`/api/agent/${agentId}/ports/${n}`, { method: "DELETE" });
      await load();
    } catch (e) {
      setError(errorMessage(e));
    }
  }

  const current = ports?.find((p) => p.port === selected);
  const detected = listening.filter((l) => !ports?.some((p) => p.port === l.port));
  if (gallery || (ports?.length === 0 && !error)) {
    return (
      <div ref={root} className="h-full min-h-0">
        <TemplateGallery
          onClose={ports?.length ? () => setGallery(false) : undefined}
          onReady={(readyPort) => {
            setGallery(false);
            void load().then(() => setSelected(readyPort));
          }}
          exposeForm={
            <div className="flex flex-col gap-2">
              <DetectedPorts ports={detected} onOpen={(n) => void exposePort(n)} />
              <form onSubmit={expose} className="flex items-center gap-2">
                <Input
                  value={port}
                  onChange={(e) => setPort(e.target.value)}
                  inputMode="numeric"
                  placeholder="Port, e.g. 8080"
                  aria-label="Port to preview"
                  className="w-40"
                />
                <Button type="submit" variant="outline">
                  <MonitorPlay /> Preview port
                </Button>
              </form>
            </div>
          }
        />
      </div>
    );
  }
  return (
    <div ref={root} className="flex h-full min-h-0 flex-col">
      <div className="flex flex-wrap items-center gap-1 border-b p-2">
        <div className="flex min-w-0 flex-1 flex-wrap gap-1" role="group" aria-label="Previewed ports">
          {ports?.map((p) => (
            <span key={p.port} className="inline-flex items-center rounded-md border">
              <button
                type="button"
                className={`px-2 py-1 font-mono text-xs ${p.port === selected ? "bg-accent font-semibold" : ""}`}
                aria-pressed={p.port === selected}
                onClick={() => setSelected(p.port)}
              >
                :{p.port}
              </button>
              <button
                type="button"
                className="px-1 text-muted-foreground hover:text-foreground"
                aria-label={`Stop previewing port ${p.port}`}
                onClick={() => void unexpose(p.port)}
              >
                <X className="size-3.5" />
              </button>
            </span>
          ))}
        </div>
        <form onSubmit={expose} className="flex items-center gap-1">
          <Input
            value={port}
            onChange={(e) => setPort(e.target.value)}
            inputMode="numeric"
            placeholder="Port"
            aria-label="Port to preview"
            className="h-8 w-20"
          />
          <Button type="submit" variant="ghost" size="icon" className="size-8" aria-label="Preview port">
            <Plus />
          </Button>
        </form>
        <Button variant="ghost" size="icon" className="size-8" aria-label="Start from a template" onClick={() => setGallery(true)}>
          <LayoutTemplate />
        </Button>
      </div>
      {detected.length > 0 && (
        <div className="border-b px-2 py-1">
          <DetectedPorts ports={detected} onOpen={(n) => void exposePort(n)} />
        </div>
      )}
      {error && (
        <Alert variant="destructive" className="m-2">
          {error}
        </Alert>
      )}
      {!ports && !error && (
        <p className="flex items-center gap-2 p-3 text-sm text-muted-foreground" role="status">
          <Loader2 className="size-4 animate-spin" /> Loading previews…
        </p>
      )}
      {current && (
        <>
          <div className="flex items-center gap-1 border-b px-2 py-1">
            <Button variant="ghost" size="icon" className="size-7" aria-label="Reload preview" onClick={() => setReloads((r) => r + 1)}>
              <RotateCw />
            </Button>
            <span className="min-w-0 flex-1 truncate font-mono text-xs text-muted-foreground" data-testid="preview-url">
              {current.url}
            </span>
            <Button variant="ghost" size="icon" className="size-7" aria-label="Open preview in a new tab" asChild>
              <a href={current.url} target="_blank" rel="noreferrer noopener">
                <ExternalLink />
              </a>
            </Button>
          </div>
          <iframe
            key={`${current.url}#${reloads}`}
            src={current.url}
            title={`Preview of port ${current.port}`}
            className="min-h-0 w-full flex-1 bg-white"
            sandbox="allow-scripts allow-forms allow-same-origin allow-popups allow-modals"
          />
        </>
      )}
    </div>
  );
}
