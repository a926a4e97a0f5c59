"use client";

import { Loader2, Plus, X } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { cn } from "@/lib/ui/cn.ts";
import { errorMessage } from "./agent-api.ts";
import { useAgentWorkspace } from "./agent-context.tsx";
import type { TerminalHandle, TerminalState } from "./terminal-session.ts";

/** A size to start the shell with; the terminal fits itself to its panel as soon as it is attached. */
const INITIAL_SIZE = { cols: 100, rows: 30 };

interface Tab {
  id: string;
  number: number;
}

/**
 * Terminal sessions of the workspace: each a persistent shell (cd, env and running jobs stay) in a tab of its own;
 * "+" opens another, the tab's × closes its shell. Sessions outlive a page reload for about a minute.
 */
export function TerminalTab() {
  const { api } = useAgentWorkspace();
  const [tabs, setTabs] = useState<Tab[] | null>(null);
  const [active, setActive] = useState<string | null>(null);
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<string>();
  const numbers = useRef(0);

  const open = useCallback(async () => {
    setOpening(true);
    try {
      const session = await api.openTerminal(INITIAL_SIZE);
      const tab = { id: session.id, number: ++numbers.current };
      setTabs((t) => [...(t ?? []), tab]);
      setActive(session.id);
      setError(undefined);
    } catch (e) {
      setError(errorMessage(e));
      setTabs((t) => t ?? []);
    } finally {
      setOpening(false);
    }
  }, [api]);

  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const existing = await api.terminals();
        if (cancelled) return;
        if (existing.length === 0) return void (await open());
        const found = existing.map((s) => ({ id: s.id, number: ++numbers.current }));
        setTabs(found);
        setActive(found[0]!.id);
      } catch (e) {
        if (!cancelled) setError(errorMessage(e));
        setTabs((t) => t ?? []);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [api, open]);

  async function close(id: string) {
    setTabs((t) => {
      const rest = (t ?? []).filter((x) => x.id !== id);
      setActive((a) => (a === id ? (rest.at(-1)?.id ?? null) : a));
      return rest;
    });
    try {
      await api.closeTerminal(id);
    } catch (e) {
      if ((e as { status?: number }).status !== 404) setError(errorMessage(e));
    }
  }

  return (
    <div className="flex h-full min-h-0 flex-col bg-zinc-950">
      <div className="flex items-center gap-1 border-b border-zinc-800 bg-background px-2 py-1">
        <div role="tablist" aria-label="Terminal sessions" className="flex min-w-0 flex-1 flex-wrap gap-1">
          {tabs?.map((tab) => (
            <span key={tab.id} className="inline-flex items-center rounded-md border">
              <button
                type="button"
                role="tab"
                aria-selected={tab.id === active}
                className={cn("px-2 py-1 text-xs", tab.id === active && "bg-accent font-semibold")}
                onClick={() => setActive(tab.id)}
              >
                Terminal {tab.number}
              </button>
              <button
                type="button"
                className="px-1 text-muted-foreground hover:text-foreground"
                aria-label={`Close terminal ${tab.number}`}
                onClick={() => void close(tab.id)}
              >
                <X className="size-3.5" />
              </button>
            </span>
          ))}
        </div>
        <Button variant="ghost" size="icon" className="size-7" aria-label="New terminal" disabled={opening} onClick={() => void open()}>
          {opening ? <Loader2 className="animate-spin" /> : <Plus />}
        </Button>
      </div>
      {error && (
        <Alert variant="destructive" className="m-2">
          {error}
        </Alert>
      )}
      {!tabs && !error && (
        <p className="flex items-center gap-2 p-3 text-sm text-zinc-400" role="status">
          <Loader2 className="size-4 animate-spin" /> Opening a terminal…
        </p>
      )}
      {tabs?.length === 0 && !opening && <p className="p-3 text-sm text-zinc-400">No terminal is open. Open one with +.</p>}
      {tabs?.map((tab) => (
        <TerminalPane key={tab.id} id={tab.id} number={tab.number} visible={tab.id === active} />
      ))}
    </div>
  );
}

function TerminalPane({ id, number, visible }: { id: string; number: number; visible: boolean }) {
  const { api } = useAgentWorkspace();
  const element = useRef<HTMLDivElement>(null);
  const handle = useRef<TerminalHandle | null>(null);
  const [state, setState] = useState<{ state: TerminalState | "loading"; detail?: string }>({ state: "loading" });

  useEffect(() => {
    let disposed = false;
    let observer: ResizeObserver | undefined;
    void import("./terminal-session.ts")
      .then(({ mountTerminal }) => {
        if (disposed || !element.current) return;
        handle.current = mountTerminal(element.current, api.terminalSocketUrl(id), (next, detail) => setState({ state: next, detail }));
        observer = new ResizeObserver(() => handle.current?.fit());
        observer.observe(element.current);
      })
      .catch((e) => setState({ state: "closed", detail: `The terminal could not be loaded: ${errorMessage(e)}` }));
    return () => {
      disposed = true;
      observer?.disconnect();
      handle.current?.dispose();
      handle.current = null;
    };
  }, [api, id]);

  useEffect(() => {
    if (!visible) return;
    handle.current?.fit();
    handle.current?.focus();
  }, [visible]);

  const label: Record<typeof state.state, string> = {
    loading: "Loading the terminal…",
    connecting: "Connecting…",
    connected: "Connected",
    reconnecting: "Reconnecting…",
    exited: "Exited",
    closed: "Disconnected",
  };
  return (
    <div hidden={!visible} className="flex min-h-0 flex-1 flex-col" data-testid="terminal-session" data-state={state.state}>
      <div
        ref={element}
        className="min-h-0 flex-1 overflow-hidden p-1"
        role="group"
        aria-label={`Terminal ${number}`}
        data-testid="terminal-screen"
      />
      <p className="border-t border-zinc-800 px-2 py-0.5 text-[11px] text-zinc-400" role="status">
        {label[state.state]}
        {state.detail ? ` · ${state.detail}` : ""}
      </p>
    </div>
  );
}
