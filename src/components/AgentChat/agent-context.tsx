"use client";

import { useAgent } from "agents/react";
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import type { HubState } from "@/agent/agent-hub.ts";
import type { Task } from "@/agent/tasks.ts";
import { agentApi, type AgentApi, type AgentInfo, type ThreadInfo } from "./agent-api.ts";

export interface AgentWorkspaceContext {
  agentId: string;
  agent: AgentInfo | null;
  /** Replaces the agent as shown (after its settings were saved); what the caller may do is kept. */
  agentChanged: (next: AgentInfo) => void;
  agentError: string | null;
  api: AgentApi;
  /** Threads as the agent pushes them (null until the first state arrives). */
  threads: ThreadInfo[] | null;
  workspaceVersion: number;
  /** The newest tasks with their progress, as the agent pushes them (null until known). */
  tasks: Task[] | null;
  hubConnected: boolean;
  /** The viewer is a platform admin: failures of the server's configuration point to the admin Health page. */
  operator: boolean;
  /** The signed-in user's id: their own messages in a shared thread need no author's name. */
  viewerId: string;
}

const Context = createContext<AgentWorkspaceContext | null>(null);

export function useAgentWorkspace(): AgentWorkspaceContext {
  const value = useContext(Context);
  if (!value) throw new Error("useAgentWorkspace outside AgentWorkspaceProvider");
  return value;
}

/** Tracks whether a PartySocket is open, so the UI can say when it is reconnecting. */
export function useSocketOpen(socket: {
  readyState: number;
  addEventListener: WebSocket["addEventListener"];
  removeEventListener: WebSocket["removeEventListener"];
}): boolean {
  const [open, setOpen] = useState(socket.readyState === 1);
  useEffect(() => {
    const update = () => setOpen(socket.readyState === 1);
    update();
    socket.addEventListener("open", update);
    socket.addEventListener("close", update);
    socket.addEventListener("error", update);
    return () => {
      socket.removeEventListener("open", update);
      socket.removeEventListener("close", update);
      socket.removeEventListener("error", update);
    };
  }, [socket]);
  return open;
}

/** One connection to the agent's hub (thread list, running flags, workspace version) shared by the whole screen. */
export function AgentWorkspaceProvider({
  agentId,
  operator = false,
  viewerId = "",
  children,
}: {
  agentId: string;
  operator?: boolean;
  viewerId?: string;
  children: ReactNode;
}) {
  const api = useMemo(() => agentApi(agentId), [agentId]);
  const [agent, setAgent] = useState<AgentInfo | null>(null);
  const [agentError, setAgentError] = useState<string | null>(null);
  const [state, setState] = useState<HubState | null>(null);
  const hub = useAgent<HubState>({ agent: "agent", name: agentId, prefix: "ws", onStateUpdate: (next) => setState(next) });
  const hubConnected = useSocketOpen(hub);
  useEffect(() => {
    api
      .get()
      .then(setAgent)
      .catch((e: Error) => setAgentError(e.message));
  }, [api]);
  // Until the hub's state arrives (or if its socket cannot connect), the REST list stands in.
  useEffect(() => {
    if (state) return;
    api
      .threads()
      .then((threads) => setState((s) => s ?? { threads, workspaceVersion: 0 }))
      .catch(() => {});
  }, [api, state]);
  const agentChanged = useCallback(
    (next: AgentInfo) => setAgent((previous) => ({ ...previous, ...next, permissions: next.permissions ?? previous?.permissions })),
    [],
  );
  const value = useMemo<AgentWorkspaceContext>(
    () => ({
      agentId,
      agent,
      agentChanged,
      agentError,
      api,
      threads: state?.threads ?? null,
      workspaceVersion: state?.workspaceVersion ?? 0,
      tasks: state?.tasks ?? null,
      hubConnected,
      operator,
      viewerId,
    }),
    [agentId, agent, agentChanged, agentError, api, state, hubConnected, operator, viewerId],
  );
  return <Context.Provider value={value}>{children}</Context.Provider>;
}
