/** Client calls to the agent REST API (docs/api.md), with errors that keep the API's code and status. */

export interface AgentInfo {
  id: string;
  accountId: string;
  name: string;
  model: string;
  instructions: string | null;
  preset: string | null;
  maxSteps: number;
  isDefault: boolean;
  createdAt: string | number;
  lastActiveAt: string | number | null;
}

export interface ThreadInfo {
  id: string;
  title: string;
  createdAt: number;
  updatedAt: number;
  running: boolean;
}

export interface FileEntry {
  name: string;
  path: string;
  type: "file" | "directory" | "symlink" | "other";
  size: number;
  modifiedAt: string | number;
}

export interface ProcessInfo {
  id: string;
  command: string;
  cwd: string;
  status: "running" | "exited";
  startedAt: string | number;
  exitedAt: string | number | null;
  exitCode: number | null;
  reason: string | null;
}

export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  truncated?: boolean;
  error?: { code: string; limit?: string; message: string };
}

export interface MemoryNote {
  id: string;
  text: string;
  createdAt: number;
  updatedAt: number;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
  }
}

async function failure(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  const code = body?.error?.code ?? (response.status === 402 ? "insufficient_credits" : "error");
  const fallback = response.status === 429 ? "Too many requests. Wait a moment and try again." : `Request failed (${response.status})`;
  return new ApiError(body?.error?.message ?? fallback, response.status, code);
}

export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { ...(typeof init.body === "string" ? { "content-type": "application/json" } : {}), ...init.headers },
    });
  } catch {
    throw new ApiError("You appear to be offline. Check your connection and try again.", 0, "offline");
  }
  if (!response.ok) throw await failure(response);
  return response;
}

export async function requestJson<T>(path: string, init: RequestInit = {}): Promise<T> {
  const response = await request(path, init);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

const json = (method: string, body?: unknown): RequestInit => ({ method, body: body === undefined ? undefined : JSON.stringify(body) });

export function agentApi(agentId: string) {
  const base = `/api/agent/${agentId}`;
  const q = (path: string) => `?path=${encodeURIComponent(path)}`;
  return {
    get: () => requestJson<AgentInfo>(base),
    threads: (query?: string) =>
      requestJson<{ threads: ThreadInfo[] }>(`${base}/threads${query ? `?q=${encodeURIComponent(query)}` : ""}`).then((r) => r.threads),
    createThread: () => requestJson<ThreadInfo>(`${base}/threads`, json("POST", {})),
    renameThread: (tid: string, title: string) => requestJson<ThreadInfo>(`${base}/threads/${tid}`, json("PATCH", { title })),
    deleteThread: (tid: string) => requestJson<void>(`${base}/threads/${tid}`, { method: "DELETE" }),
    messages: (tid: string) => requestJson<{ messages: unknown[] }>(`${base}/threads/${tid}/messages`).then((r) => r.messages),
    stop: (tid: string) => requestJson<{ stopped: boolean }>(`${base}/threads/${tid}/stop`, json("POST", {})),
    list: (path: string) => requestJson<{ path: string; entries: FileEntry[] }>(`${base}/files${q(path)}`),
    read: (path: string) => request(`${base}/files${q(path)}`).then((r) => r.text()),
    fileUrl: (path: string) => `${base}/files${q(path)}`,
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
    notes: () => requestJson<{ notes: MemoryNote[] }>(`${base}/memory`).then((r) => r.notes),
    addNote: (text: string) => requestJson<MemoryNote>(`${base}/memory`, json("POST", { text })),
    editNote: (id: string, text: string) => requestJson<MemoryNote>(`${base}/memory/${id}`, json("PATCH", { text })),
    deleteNote: (id: string) => requestJson<void>(`${base}/memory/${id}`, { method: "DELETE" }),
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
