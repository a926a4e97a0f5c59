/** Client calls to the agent REST API (docs/api.md), with errors that keep the API's code and status. */

import type { MemoryNote, ThreadSummary } from "@/agent/agent-hub.ts";
import type { BranchPoint } from "@/agent/thread-branches.ts";
import type { ShareInfo } from "@/lib/threads/shares.ts";
import type { agentJson } from "@/lib/agents/views.ts";
import type { ToolPolicy } from "@/lib/agents/tool-policy.ts";
import type { Permission } from "@/lib/teams/permissions.ts";
import type {
  Checkpoint,
  CheckpointDiff,
  CheckpointList,
  ExecResult,
  FileEntry,
  GitStatus,
  ListeningPort,
  ProcessInfo,
  RestoreResult,
  TerminalSession,
} from "@/sandbox/types.ts";
import type { SavedAttachment } from "@/lib/agents/attachments.ts";
import { request, requestJson, uploadWithProgress } from "../api-client.ts";

export { ApiError, request, requestJson } from "../api-client.ts";
export type { BranchPoint, ShareInfo };
export type {
  Checkpoint,
  CheckpointDiff,
  ExecResult,
  FileEntry,
  GitStatus,
  ListeningPort,
  MemoryNote,
  ProcessInfo,
  RestoreResult,
  TerminalSession,
};
/** An agent, with what the caller may do in its account (GET /api/agent/:id says; lists and writes do not). */
export type AgentInfo = ReturnType<typeof agentJson> & { permissions?: Permission[]; toolPolicyFloor?: ToolPolicy };
export type ThreadInfo = ThreadSummary;
/** A catalog model an agent may use, with its prices (GET /api/models). */
export interface ModelInfo {
  id: string;
  label: string;
  contextWindowTokens: number;
  inputCreditsPer1k: number;
  outputCreditsPer1k: number;
}
/** What the settings page may change (PATCH /api/agent/:id). */
export interface AgentChanges {
  name?: string;
  model?: string;
  instructions?: string;
  preset?: string;
  maxSteps?: number;
  turnCreditCap?: number | null;
  taskCreditBudget?: number | null;
}

const json = (method: string, body?: unknown) => ({ method, body });

export function agentApi(agentId: string) {
  const base = `/api/agent/${agentId}`;
  const q = (path: string) => `?path=${encodeURIComponent(path)}`;
  return {
    get: () => requestJson<AgentInfo>(base),
    update: (changes: AgentChanges) => requestJson<AgentInfo>(base, json("PATCH", changes)),
    models: () => requestJson<{ models: ModelInfo[] }>("/api/models").then((r) => r.models),
    threads: (query?: string) =>
      requestJson<{ threads: ThreadInfo[] }>(`${base}/threads${query ? `?q=${encodeURIComponent(query)}` : ""}`).then((r) => r.threads),
    createThread: () => requestJson<ThreadInfo>(`${base}/threads`, json("POST", {})),
    renameThread: (tid: string, title: string) => requestJson<ThreadInfo>(`${base}/threads/${tid}`, json("PATCH", { title })),
    pinThread: (tid: string, pinned: boolean) => requestJson<ThreadInfo>(`${base}/threads/${tid}`, json("PATCH", { pinned })),
    deleteThread: (tid: string) => requestJson<void>(`${base}/threads/${tid}`, { method: "DELETE" }),
    messages: (tid: string) => requestJson<{ messages: unknown[] }>(`${base}/threads/${tid}/messages`).then((r) => r.messages),
    /** Uploads one file to uploads/<tid>/ in the workspace, reporting progress from 0 to 1. */
    uploadAttachment: (tid: string, file: File, onProgress: (sent: number) => void, signal?: AbortSignal) => {
      const form = new FormData();
      form.append("file", file, file.name);
      return uploadWithProgress<{ attachments: SavedAttachment[] }>(`${base}/threads/${tid}/attachments`, form, onProgress, signal).then(
        (r) => r.attachments[0]!,
      );
    },
    history: (tid: string) => requestJson<{ messages: unknown[]; branches: BranchPoint[] }>(`${base}/threads/${tid}/messages`),
    /** Edits a sent message (a new branch); resolves once the answer is done (the socket shows it streaming). */
    editMessage: (tid: string, messageId: string, text: string) =>
      requestJson<unknown>(`${base}/threads/${tid}/messages/${encodeURIComponent(messageId)}/edit`, {
        method: "POST",
        body: { text },
        headers: { accept: "application/json" },
      }),
    regenerate: (tid: string, messageId: string) =>
      requestJson<unknown>(`${base}/threads/${tid}/messages/${encodeURIComponent(messageId)}/regenerate`, {
        method: "POST",
        headers: { accept: "application/json" },
      }),
    switchBranch: (tid: string, parentId: string | null, index: number) =>
      requestJson<{ messages: unknown[]; branches: BranchPoint[] }>(`${base}/threads/${tid}/branches`, json("POST", { parentId, index })),
    exportUrl: (tid: string, format: "markdown" | "json") => `${base}/threads/${tid}/export?format=${format}`,
    shares: (tid: string) => requestJson<{ shares: ShareInfo[] }>(`${base}/threads/${tid}/shares`).then((r) => r.shares),
    share: (tid: string) => requestJson<ShareInfo>(`${base}/threads/${tid}/shares`, json("POST", {})),
    revokeShare: (tid: string, shareId: string) => requestJson<ShareInfo>(`${base}/threads/${tid}/shares/${shareId}`, { method: "DELETE" }),
    stop: (tid: string) => requestJson<{ stopped: boolean }>(`${base}/threads/${tid}/stop`, json("POST", {})),
    list: (path: string) => requestJson<{ path: string; entries: FileEntry[] }>(`${base}/files${q(path)}`),
    read: (path: string) => request(`${base}/files${q(path)}`).then((r) => r.text()),
    fileUrl: (path: string) => `${base}/files${q(path)}`,
    terminals: () => requestJson<{ terminals: TerminalSession[] }>(`${base}/terminals`).then((r) => r.terminals),
    openTerminal: (size: { cols: number; rows: number }) => requestJson<TerminalSession>(`${base}/terminals`, json("POST", size)),
    closeTerminal: (id: string) => requestJson<void>(`${base}/terminals/${id}`, { method: "DELETE" }),
    /** The WebSocket address of a terminal session, on this page's host. */
    terminalSocketUrl: (id: string) => `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}${base}/terminals/${id}`,
    listeningPorts: () => requestJson<{ ports: ListeningPort[] }>(`${base}/ports/listening`).then((r) => r.ports),
    /** A folder (or the whole workspace, ".") as a tar.gz or zip download. */
    archiveUrl: (path: string, format: "tar.gz" | "zip") => `${base}/files/archive?${new URLSearchParams({ path, format })}`,
    write: (path: string, body: BodyInit) =>
      requestJson<{ path: string; bytes: number }>(`${base}/files${q(path)}`, { method: "PUT", body }),
    remove: (path: string) => requestJson<void>(`${base}/files${q(path)}`, { method: "DELETE" }),
    mkdir: (path: string) => requestJson<unknown>(`${base}/files/mkdir`, json("POST", { path })),
    move: (from: string, to: string) => requestJson<unknown>(`${base}/files/move`, json("POST", { from, to })),
    processes: () => requestJson<{ processes: ProcessInfo[] }>(`${base}/processes`).then((r) => r.processes),
    startProcess: (command: string) => requestJson<ProcessInfo>(`${base}/processes`, json("POST", { command })),
    stopProcess: (pid: string) => requestJson<ProcessInfo>(`${base}/processes/${pid}`, { method: "DELETE" }),
    logsUrl: (pid: string) => `${base}/processes/${pid}/logs?follow=1`,
    exec: (command: string) => requestJson<ExecResult>(`${base}/exec`, json("POST", { command })),
    checkpoints: (threadId?: string) =>
      requestJson<CheckpointList>(`${base}/checkpoints${threadId ? `?thread=${encodeURIComponent(threadId)}` : ""}`),
    checkpointDiff: (id: string, to = "now") =>
      requestJson<CheckpointDiff>(`${base}/checkpoints/${encodeURIComponent(id)}/diff?to=${encodeURIComponent(to)}`),
    restoreCheckpoint: (id: string) =>
      requestJson<RestoreResult>(`${base}/checkpoints/${encodeURIComponent(id)}/restore`, json("POST", {})),
    gitStatus: (dir: string) => requestJson<GitStatus>(`${base}/git/status?dir=${encodeURIComponent(dir)}`),
    gitDiff: (dir: string) => requestJson<{ diff: string }>(`${base}/git/diff?dir=${encodeURIComponent(dir)}`).then((r) => r.diff),
    gitCommit: (dir: string, message: string) => requestJson<ExecResult>(`${base}/git/commit`, json("POST", { dir, message })),
    gitPush: (dir: string) => requestJson<ExecResult>(`${base}/git/push`, json("POST", { dir })),
    notes: () => requestJson<{ notes: MemoryNote[] }>(`${base}/memory`).then((r) => r.notes),
    addNote: (text: string) => requestJson<MemoryNote>(`${base}/memory`, json("POST", { text })),
    editNote: (id: string, text: string) => requestJson<MemoryNote>(`${base}/memory/${id}`, json("PATCH", { text })),
    deleteNote: (id: string) => requestJson<void>(`${base}/memory/${id}`, { method: "DELETE" }),
    setToolPolicy: (toolPolicy: ToolPolicy) => requestJson<AgentInfo>(base, json("PATCH", { toolPolicy })),
    decideApproval: (tid: string, decision: { toolCallId: string; approved: boolean; always?: boolean }) =>
      requestJson<unknown>(`${base}/threads/${tid}/approvals`, json("POST", decision)),
  };
}

export type AgentApi = ReturnType<typeof agentApi>;

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** "3 min ago", "yesterday", or a date: short enough for a sidebar. */
export function relativeTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "never";
  const time = typeof value === "number" ? value : Date.parse(value);
  if (!Number.isFinite(time)) return "";
  const seconds = Math.round((Date.now() - time) / 1000);
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 172_800) return "yesterday";
  return new Date(time).toLocaleDateString();
}

export function formatCredits(credits: number): string {
  return credits.toLocaleString(undefined, { maximumFractionDigits: 2, minimumFractionDigits: credits > 0 && credits < 0.01 ? 3 : 0 });
}
