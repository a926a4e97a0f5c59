"use client";

import { ArrowLeft, Keyboard, MessagesSquare, PanelRightClose, PanelRightOpen, Settings, X } from "lucide-react";
import Link from "next/link";
import { useParams, usePathname } from "next/navigation";
import { useCallback, useEffect, useRef, useState, type PointerEvent as ReactPointerEvent, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert.tsx";
import { Button } from "@/components/ui/button.tsx";
import { AgentWorkspaceProvider, useAgentWorkspace } from "./agent-context.tsx";
import { dialogOpen, isTyping, shortcut } from "./shortcuts.ts";
import { ShortcutsDialog } from "./shortcuts-dialog.tsx";
import { ThreadSidebar } from "./thread-sidebar.tsx";
import { useNewChat } from "./use-new-chat.ts";
import { WorkspacePanel } from "./workspace-panel.tsx";

const MIN_PANEL_PX = 320;
const WIDTH_KEY = "netm8.workspace-width";

/** Whether the viewport is at least `px` wide (false during server rendering). */
function useWideScreen(px: number): boolean {
  const [wide, setWide] = useState(false);
  useEffect(() => {
    const query = window.matchMedia(`(min-width: ${px}px)`);
    const update = () => setWide(query.matches);
    update();
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, [px]);
  return wide;
}

/** A vertical drag handle that resizes the panel to its right; the width is remembered. */
function useResizablePanel() {
  const [width, setWidth] = useState<number | null>(null);
  useEffect(() => {
    const saved = Number(localStorage.getItem(WIDTH_KEY));
    if (saved >= MIN_PANEL_PX) setWidth(saved);
  }, []);
  const container = useRef<HTMLDivElement>(null);
  const onPointerDown = useCallback((event: ReactPointerEvent<HTMLDivElement>) => {
    event.preventDefault();
    const box = container.current?.getBoundingClientRect();
    if (!box) return;
    const move = (e: PointerEvent) => {
      const next = Math.round(Math.min(box.width - 360, Math.max(MIN_PANEL_PX, box.right - e.clientX)));
      setWidth(next);
      localStorage.setItem(WIDTH_KEY, String(next));
    };
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
      document.body.style.userSelect = "";
    };
    document.body.style.userSelect = "none";
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  }, []);
  return { width, container, onPointerDown };
}

/** The screen-wide shortcuts (./shortcuts.ts): help, new chat and search; the chat handles stop and focus itself. */
function useWorkspaceShortcuts(openHelp: () => void, openThreads: () => void) {
  const { newChat } = useNewChat();
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || dialogOpen()) return;
      if (shortcut("newChat").matches(event)) {
        event.preventDefault();
        void newChat();
      } else if (isTyping(event)) {
        return;
      } else if (shortcut("help").matches(event)) {
        event.preventDefault();
        openHelp();
      } else if (shortcut("searchChats").matches(event)) {
        event.preventDefault();
        const visible = [...document.querySelectorAll<HTMLInputElement>('input[data-shortcut="search-chats"]')].find(
          (input) => input.offsetParent !== null,
        );
        if (visible) visible.focus();
        else openThreads();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [newChat, openHelp, openThreads]);
}

function WorkspaceLayout({ children }: { children: ReactNode }) {
  const { agent, agentId, agentError, threads, hubConnected } = useAgentWorkspace();
  const params = useParams<{ tid?: string }>();
  const threadId = params.tid;
  const onSettings = usePathname()?.endsWith("/settings") ?? false;
  const title = onSettings ? "Agent settings" : (threads?.find((t) => t.id === threadId)?.title ?? (threadId ? "" : "Opening chat…"));
  const wide = useWideScreen(1024);
  const [threadsOpen, setThreadsOpen] = useState(false);
  const [workspaceOpen, setWorkspaceOpen] = useState(true);
  const [workspaceOverlay, setWorkspaceOverlay] = useState(false);
  const { width, container, onPointerDown } = useResizablePanel();
  const [helpOpen, setHelpOpen] = useState(false);
  const openHelp = useCallback(() => setHelpOpen(true), []);
  const closeHelp = useCallback(() => setHelpOpen(false), []);
  const openThreads = useCallback(() => setThreadsOpen(true), []);
  useWorkspaceShortcuts(openHelp, openThreads);

  useEffect(() => setThreadsOpen(false), [threadId]);
  // The phone's drawers close with Escape, like every other dialog; the chats drawer first, as it opens on top.
  useEffect(() => {
    if (!threadsOpen && !workspaceOverlay) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented) return;
      if (document.querySelector('[role="dialog"][aria-modal="true"]:not([aria-label="Chats"]):not([aria-label="Workspace panel"])'))
        return;
      if (threadsOpen) setThreadsOpen(false);
      else setWorkspaceOverlay(false);
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [threadsOpen, workspaceOverlay]);

  if (agentError) {
    return (
      <div className="mx-auto max-w-lg py-16">
        <Alert variant="destructive">This agent could not be opened: {agentError}</Alert>
        <Button asChild variant="outline" className="mt-4">
          <Link href="/agents">
            <ArrowLeft /> All agents
          </Link>
        </Button>
      </div>
    );
  }

  const showPanel = wide ? workspaceOpen : workspaceOverlay;
  return (
    <div ref={container} className="workspace-fill -m-4 flex min-h-0 md:-m-8">
      <aside className="hidden w-60 shrink-0 border-r lg:block" aria-label="Chat history">
        <div className="flex h-12 items-center gap-2 border-b px-3">
          <Link href="/agents" className="text-muted-foreground hover:text-foreground" aria-label="All agents">
            <ArrowLeft className="size-4" />
          </Link>
          <span className="truncate text-sm font-semibold">{agent?.name ?? "Agent"}</span>
        </div>
        <div className="h-[calc(100%-3rem)]">
          <ThreadSidebar activeThreadId={threadId} />
        </div>
      </aside>
      <div className="flex min-w-0 flex-1 flex-col">
        <header className="flex h-12 shrink-0 items-center gap-1 border-b px-2">
          <Button variant="ghost" size="icon" className="lg:hidden" aria-label="Show chats" onClick={() => setThreadsOpen(true)}>
            <MessagesSquare />
          </Button>
          <h1 className="min-w-0 flex-1 truncate px-1 text-sm font-semibold" data-testid="thread-title">
            {title}
          </h1>
          {!hubConnected && threads && (
            <span className="hidden text-xs text-muted-foreground sm:inline" role="status">
              Reconnecting…
            </span>
          )}
          <Button variant="ghost" size="icon" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)" onClick={openHelp}>
            <Keyboard />
          </Button>
          <Button asChild variant="ghost" size="icon" aria-label="Agent settings" title="Agent settings">
            <Link href={`/agents/${agentId}/settings`} aria-current={onSettings ? "page" : undefined}>
              <Settings />
            </Link>
          </Button>
          <Button
            variant="ghost"
            size="icon"
            aria-label={showPanel ? "Hide workspace" : "Show workspace"}
            aria-expanded={showPanel}
            onClick={() => (wide ? setWorkspaceOpen((o) => !o) : setWorkspaceOverlay((o) => !o))}
          >
            {showPanel ? <PanelRightClose /> : <PanelRightOpen />}
          </Button>
        </header>
        {children}
      </div>
      {wide && workspaceOpen && (
        <>
          <div
            role="separator"
            aria-orientation="vertical"
            aria-label="Resize workspace"
            className="w-1 shrink-0 cursor-col-resize bg-border hover:bg-primary/40"
            onPointerDown={onPointerDown}
          />
          <div className="min-w-0 shrink-0" style={{ width: width ?? "42%" }}>
            <WorkspacePanel />
          </div>
        </>
      )}
      {!wide && workspaceOverlay && (
        <div className="fixed inset-0 z-40 flex flex-col bg-background" role="dialog" aria-modal="true" aria-label="Workspace panel">
          <WorkspacePanel
            actions={
              <Button
                variant="ghost"
                size="icon"
                className="shrink-0"
                aria-label="Close workspace"
                onClick={() => setWorkspaceOverlay(false)}
              >
                <X />
              </Button>
            }
          />
        </div>
      )}
      <ShortcutsDialog open={helpOpen} onClose={closeHelp} />
      {threadsOpen && (
        <div className="fixed inset-0 z-40 lg:hidden" role="dialog" aria-modal="true" aria-label="Chats">
          <div aria-hidden="true" className="absolute inset-0 bg-black/40" onClick={() => setThreadsOpen(false)} />
          <div className="absolute inset-y-0 left-0 flex w-72 max-w-[85vw] flex-col border-r bg-background shadow-xl">
            <div className="flex h-12 items-center gap-2 border-b px-3">
              <span className="min-w-0 flex-1 truncate text-sm font-semibold">{agent?.name ?? "Agent"}</span>
              <Button variant="ghost" size="icon" aria-label="Close chats" onClick={() => setThreadsOpen(false)}>
                <X />
              </Button>
            </div>
            <div className="min-h-0 flex-1">
              <ThreadSidebar activeThreadId={threadId} onNavigate={() => setThreadsOpen(false)} />
            </div>
          </div>
        </div>
      )}
    </div>
  );
}

/** The agent screen: chat history, the conversation, and the workspace beside it. */
/** `operator`: the viewer is a platform admin, shown where to look when the model endpoint fails. */
/** `viewerId`: the signed-in user, whose own messages in a shared thread carry no author's name. */
export function AgentWorkspaceShell({
  agentId,
  operator,
  viewerId,
  children,
}: {
  agentId: string;
  operator: boolean;
  viewerId: string;
  children: ReactNode;
}) {
  return (
    <AgentWorkspaceProvider agentId={agentId} operator={operator} viewerId={viewerId}>
      <WorkspaceLayout>{children}</WorkspaceLayout>
    </AgentWorkspaceProvider>
  );
}
