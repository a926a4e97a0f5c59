"use client";

import {
  Brain,
  CalendarClock,
  Cpu,
  FolderTree,
  History,
  KeyRound,
  ListChecks,
  MonitorPlay,
  Plug,
  ShieldCheck,
  SquareTerminal,
} from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";
import { cn } from "@/lib/ui/cn.ts";
import { ChangesTab } from "./changes-tab.tsx";
import { ConnectorsSection } from "./connectors-section.tsx";
import { FilesTab } from "./files-tab.tsx";
import { MemoryTab } from "./memory-tab.tsx";
import { PreviewTab } from "./preview-tab.tsx";
import { ProcessesTab } from "./processes-tab.tsx";
import { SecretsSection } from "./secrets-section.tsx";
import { TriggersSection } from "./triggers-section.tsx";
import { SchedulesTab, TasksTab } from "./tasks-tab.tsx";
import { TerminalTab } from "./terminal-tab.tsx";
import { ToolApprovalsSection } from "./tool-approvals-section.tsx";

const TABS = [
  { id: "files", label: "Files", icon: FolderTree },
  { id: "changes", label: "Changes", icon: History },
  { id: "processes", label: "Processes", icon: Cpu },
  { id: "terminal", label: "Terminal", icon: SquareTerminal },
  { id: "preview", label: "Preview", icon: MonitorPlay },
  { id: "tasks", label: "Tasks", icon: ListChecks },
  { id: "schedules", label: "Schedules", icon: CalendarClock },
  { id: "memory", label: "Memory", icon: Brain },
  { id: "secrets", label: "Secrets", icon: KeyRound },
  { id: "approvals", label: "Approvals", icon: ShieldCheck },
  { id: "connectors", label: "Connectors", icon: Plug },
] as const;

type TabId = (typeof TABS)[number]["id"];

/** The agent's workspace beside the chat. Tabs stay mounted once opened, so an open file or a log survives a switch. */
export function WorkspacePanel({ actions }: { actions?: ReactNode }) {
  const [tab, setTab] = useState<TabId>("files");
  const [visited, setVisited] = useState<Set<TabId>>(() => new Set(["files"]));
  // Back from a connector's sign-in (/api/mcp/oauth/callback): show the connectors.
  useEffect(() => {
    if (!new URLSearchParams(window.location.search).has("connector")) return;
    setTab("connectors");
    setVisited((seen) => new Set([...seen, "connectors"]));
  }, []);
  const panels: Record<TabId, ReactNode> = {
    files: <FilesTab />,
    changes: <ChangesTab />,
    processes: <ProcessesTab />,
    terminal: <TerminalTab />,
    preview: <PreviewTab />,
    tasks: <TasksTab />,
    schedules: <SchedulesTab />,
    memory: <MemoryTab />,
    secrets: (
      <div className="h-full min-h-0 overflow-y-auto">
        <SecretsSection />
        <TriggersSection />
      </div>
    ),
    approvals: (
      <div className="h-full min-h-0 overflow-y-auto">
        <ToolApprovalsSection />
      </div>
    ),
    connectors: (
      <div className="h-full min-h-0 overflow-y-auto">
        <ConnectorsSection />
      </div>
    ),
  };
  return (
    <section className="@container flex h-full min-h-0 flex-col bg-background" aria-label="Workspace">
      <div className="flex min-h-12 shrink-0 items-stretch border-b">
        {/* Narrow: icons with the open tab's name, scrolling if need be; wider: every name, on two rows if they need them. */}
        <div
          role="tablist"
          aria-label="Workspace"
          className="flex min-w-0 flex-1 overflow-x-auto @[30rem]:flex-wrap @[30rem]:overflow-visible"
        >
          {TABS.map(({ id, label, icon: Icon }) => (
            <button
              type="button"
              key={id}
              role="tab"
              id={`ws-tab-${id}`}
              aria-selected={tab === id}
              aria-controls={`ws-panel-${id}`}
              aria-label={label}
              title={label}
              className={cn(
                "flex h-12 shrink-0 items-center gap-1.5 border-b-2 px-2 text-sm @[34rem]:h-10 @[34rem]:px-3 @[56rem]:h-12 text-muted-foreground hover:text-foreground",
                tab === id ? "border-primary font-medium text-foreground" : "border-transparent",
              )}
              onClick={() => {
                setTab(id);
                setVisited((v) => new Set(v).add(id));
              }}
            >
              <Icon className="size-4" />
              <span className={tab === id ? "inline" : "hidden @[30rem]:inline"}>{label}</span>
            </button>
          ))}
        </div>
        {actions && <div className="flex items-center pr-1">{actions}</div>}
      </div>
      {TABS.map(({ id }) =>
        visited.has(id) ? (
          <div
            key={id}
            role="tabpanel"
            id={`ws-panel-${id}`}
            aria-labelledby={`ws-tab-${id}`}
            hidden={tab !== id}
            className="min-h-0 flex-1"
          >
            {panels[id]}
          </div>
        ) : null,
      )}
    </section>
  );
}
