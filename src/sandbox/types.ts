import type { ListeningPort } from "./listening-ports.ts";

// The one sandbox interface the agent and the API use. Backends: local (sandboxd over HTTP, ./local.ts) and,
// later, Cloudflare's container sandbox. Everything here is plain data so it crosses HTTP and RPC unchanged.

export type Limits = {
  /** Wall-clock limit of one exec, in milliseconds. */
  timeoutMs: number;
  memoryMiB: number;
  /** Maximum number of processes and threads in the workspace. */
  pids: number;
  /** CPU time share, in CPUs (1 = one full core). */
  cpus: number;
  diskMiB: number;
};

export type LimitName = "timeout" | "memory" | "pids" | "disk";

/** Set on an exec result when a limit ended or broke the command. */
export type LimitError = {
  code: "timeout_exceeded" | "memory_limit_exceeded" | "pids_limit_exceeded" | "disk_quota_exceeded";
  limit: LimitName;
  message: string;
};

export type WorkspaceOptions = {
  network?: boolean;
  limits?: Partial<Limits>;
  /**
   * The billing account the workspace belongs to and how many of its workspaces may be live (running something) at
   * once. Given on every use: past the cap the least recently used idle one is stopped, else 409
   * `live_workspace_limit_reached`.
   */
  group?: { id: string; maxLive: number };
};

/** What `Sandbox.stop` ended. */
export type StopResult = { processesStopped: number; previewsClosed: number };

export type WorkspaceInfo = {
  id: string;
  createdAt: string;
  network: boolean;
  limits: Limits;
  /** Absolute path of the workspace inside the sandbox; relative paths in every call are taken from here. */
  root: string;
  disk: { usedBytes: number; totalBytes: number } | null;
  /** Whether it runs something now (executor, network, a background process); sandboxd only. */
  live?: boolean;
  lastUsedAt?: string | null;
};

export type ExecOptions = {
  /** Relative to the workspace root, or absolute under it. */
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  stdin?: string;
};

export type ExecResult = {
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
  /** True when stdout or stderr was longer than the capture limit and was cut. */
  truncated?: boolean;
  error?: LimitError;
  /**
   * CPU time of the command and everything it started, measured by sandboxd from the command's own cgroup (sandboxd
   * with cgroups only); `durationMs` is wall-clock time.
   */
  cpuMs?: number;
};

export type ExecEvent =
  | { type: "stdout"; data: string }
  | { type: "stderr"; data: string }
  | ({ type: "exit" } & Omit<ExecResult, "stdout" | "stderr">);

/** A string runs with `bash -c`; an array is an argv run as is. */
export type Command = string | string[];

export type CodeLanguage = "python" | "javascript";

export type FileEncoding = "utf8" | "base64";

export type FileType = "file" | "directory" | "symlink" | "other";

export type FileEntry = {
  name: string;
  /** Relative to the workspace root. */
  path: string;
  type: FileType;
  size: number;
  modifiedAt: number;
};

export type ProcessStatus = "running" | "exited";

export type ProcessInfo = {
  id: string;
  command: Command;
  cwd: string;
  status: ProcessStatus;
  startedAt: string;
  exitedAt: string | null;
  exitCode: number | null;
  /** Why it is not running: "exited", "stopped", "killed by signal 9", "sandboxd restarted while it was running". */
  reason: string | null;
};

export type StartProcessOptions = {
  cwd?: string;
  env?: Record<string, string>;
};

export type LogsOptions = {
  /** Keep the stream open and deliver new output until the process exits. */
  follow?: boolean;
  signal?: AbortSignal;
};

/** A token for git over HTTPS and the hosts it may be sent to (a credential helper checks each connection). */
export type GitCredentials = { username: string; password: string; hosts: string[] };

export type GitCloneOptions = {
  url: string;
  /** Target directory relative to the workspace; defaults to the repository name. */
  dir?: string;
  branch?: string;
  depth?: number;
  credentials?: GitCredentials;
  env?: Record<string, string>;
  timeoutMs?: number;
};

export type GitResult = ExecResult;

export type GitStatus = {
  branch: string | null;
  clean: boolean;
  /** `git status --porcelain=v1` lines. */
  entries: { status: string; path: string }[];
};

export type GitCommitOptions = {
  dir: string;
  message: string;
  author?: { name: string; email: string };
  /** Stage every change (`git add -A`) before committing; default true. */
  all?: boolean;
};

export type GitPushOptions = {
  dir: string;
  remote?: string;
  branch?: string;
  /** Handed to git as environment variables through a credential helper; never written to disk or argv. */
  credentials?: GitCredentials;
  env?: Record<string, string>;
  timeoutMs?: number;
};

/**
 * Why a checkpoint was taken: before a turn's (or task step's) first file-changing tool call, at the end of such a
 * turn, on request, or just before a restore (restoring that one undoes the restore).
 */
export type CheckpointKind = "before-turn" | "after-turn" | "manual" | "before-restore";

/** A snapshot of the workspace's files (every `.git` directory left out), in a content-addressed store. */
export type Checkpoint = {
  id: string;
  createdAt: string;
  kind: CheckpointKind;
  threadId: string | null;
  /** The user message whose turn caused it. */
  messageId: string | null;
  /** For a before-restore checkpoint: the checkpoint that was restored. */
  restoring?: string;
  files: number;
  bytes: number;
};

export type CreateCheckpointOptions = {
  kind?: CheckpointKind;
  threadId?: string;
  messageId?: string;
  /** Checkpoints kept per thread (the oldest go first); default 20. */
  keep?: number;
};

export type CheckpointList = {
  /** Newest first. */
  checkpoints: Checkpoint[];
  /** Disk used by the store (it counts against the workspace's disk quota); null when unknown. */
  storeBytes: number | null;
};

export type CheckpointDiff = {
  from: string;
  /** A checkpoint id or "now". */
  to: string;
  files: { path: string; status: "added" | "deleted" | "modified"; binary?: boolean }[];
  /** Unified diff (git's format) of the text files, bounded; `truncated` says when files were left out. */
  patch: string;
  truncated: boolean;
};

export type RestoreResult = {
  restored: Checkpoint;
  /** The state just before the restore: restoring it undoes the restore. */
  undo: Checkpoint;
};

/** A workspace port reachable as a preview at `<port>-<workspace id>-<token>.<preview domain>`. */
export type ExposedPort = {
  port: number;
  token: string;
  exposedAt: string;
  /** The preview URL, when the backend knows the public origin (APP_URL). */
  url?: string;
};

/** An open terminal: a shell on a pseudo-terminal in the workspace, reached over a WebSocket (see docs/api.md). */
export type TerminalSession = { id: string; createdAt: string; cols: number; rows: number; attached: boolean };

export type TerminalSize = { cols: number; rows: number };

export type ArchiveFormat = "tar.gz" | "zip";

/** What something listens on in the workspace, found without being told (see listening-ports.ts). */
export type { ListeningPort };

/** What a preview host names; see src/worker/preview.ts. */
export type PreviewTarget = { port: number; sandboxId: string; token: string };

export type ProtectionReport = {
  root: boolean;
  protections: Record<string, { enabled: boolean; detail: string }>;
  missing: string[];
};

/**
 * One agent's workspace. Paths are relative to `/workspace` or absolute under it; `..`, paths outside and symlinks
 * that lead out are refused (SandboxError with status 400/403).
 */
export interface Workspace {
  readonly id: string;
  info(): Promise<WorkspaceInfo>;
  setNetwork(enabled: boolean): Promise<WorkspaceInfo>;

  exec(command: Command, options?: ExecOptions): Promise<ExecResult>;
  execStream(command: Command, options?: ExecOptions & { signal?: AbortSignal }): AsyncIterable<ExecEvent>;
  runCode(language: CodeLanguage, code: string, options?: { timeoutMs?: number }): Promise<ExecResult>;

  readFile(path: string): Promise<string>;
  readFileBytes(path: string): Promise<Uint8Array>;
  writeFile(path: string, content: string | Uint8Array): Promise<void>;
  listFiles(path?: string, options?: { recursive?: boolean }): Promise<FileEntry[]>;
  mkdir(path: string, options?: { recursive?: boolean }): Promise<void>;
  deleteFile(path: string, options?: { recursive?: boolean }): Promise<void>;
  moveFile(from: string, to: string, options?: { overwrite?: boolean }): Promise<void>;
  exists(path: string): Promise<{ exists: boolean; type?: FileType }>;

  startProcess(command: Command, options?: StartProcessOptions): Promise<ProcessInfo>;
  listProcesses(): Promise<ProcessInfo[]>;
  getProcess(id: string): Promise<ProcessInfo>;
  processLogs(id: string, options?: LogsOptions): AsyncIterable<string>;
  stopProcess(id: string): Promise<ProcessInfo>;
  /** Stops every running background process, writing `reason` as the last line of each one's log. */
  stopAllProcesses(reason: string): Promise<ProcessInfo[]>;
  restartProcess(id: string): Promise<ProcessInfo>;

  gitClone(options: GitCloneOptions): Promise<GitResult>;
  gitStatus(dir: string): Promise<GitStatus>;
  gitDiff(dir: string, options?: { staged?: boolean }): Promise<string>;
  gitCommit(options: GitCommitOptions): Promise<GitResult>;
  gitPush(options: GitPushOptions): Promise<GitResult>;

  createCheckpoint(options?: CreateCheckpointOptions): Promise<Checkpoint>;
  listCheckpoints(): Promise<CheckpointList>;
  /** From a checkpoint to another one or to the files as they are now ("now"). */
  diffCheckpoint(from: string, to: string): Promise<CheckpointDiff>;
  /** Makes the files what they were at the checkpoint, after checkpointing them as they are (see RestoreResult). */
  restoreCheckpoint(id: string): Promise<RestoreResult>;

  /**
   * Gives a template applied into `dir` its packages without downloading them, where the backend keeps them ready
   * (local: the shared store mounted as an overlay); otherwise says why, and the caller installs them.
   */
  provideTemplateDependencies(template: string, dir: string): Promise<TemplateDependencies>;

  /** Makes a port previewable (idempotent: the token of an exposed port stays the same). */
  exposePort(port: number): Promise<ExposedPort>;
  unexposePort(port: number): Promise<void>;
  exposedPorts(): Promise<ExposedPort[]>;
  /** TCP ports something listens on in the workspace now (a stopped workspace lists none and is not started). */
  listeningPorts(): Promise<ListeningPort[]>;

  /** A directory (or file) of the workspace as an archive stream; symlinks are stored as links, never followed. */
  archive(path: string, format: ArchiveFormat): Promise<ReadableStream<Uint8Array>>;

  /** Starts a shell on a terminal of this size; it is closed after an idle time or when no client comes back. */
  openTerminal(size: TerminalSize): Promise<TerminalSession>;
  listTerminals(): Promise<TerminalSession[]>;
  closeTerminal(id: string): Promise<void>;
  /** Attaches a WebSocket upgrade request to a terminal session: the 101 answer to hand back to the client. */
  terminalFetch(request: Request, id: string): Promise<Response>;

  destroy(): Promise<void>;
}

export type TemplateDependencies =
  | { provided: true; store: string }
  /** `npmCache`: an npm cache the backend keeps filled with the templates' packages, for an offline-first install. */
  | { provided: false; reason: string; npmCache?: string };

export type WorkspaceUsage = {
  id: string;
  /**
   * CPU time of background processes (and of git status and diff, which answer no exec result to bill), ever: the
   * platform's cron bills the difference since it last looked.
   */
  backgroundCpuMs: number;
  /** CPU time of every exec, code run and git run, ever, each as reported (and billed) with its result. */
  commandCpuMs: number;
  runningProcesses: number;
};

export interface Sandbox {
  /**
   * Gets the workspace with this id (an agent's workspace id), creating it when it does not exist. Options apply
   * at creation only; change the network later with `setNetwork`.
   */
  workspace(id: string, options?: WorkspaceOptions): Promise<Workspace>;
  /** Destroys a workspace's processes, network namespace and files. Missing workspaces are fine. */
  destroy(id: string): Promise<void>;
  /**
   * Stops everything a workspace runs (background processes, commands, its network), keeping its files; it starts
   * again on next use. With `closePreviews` its preview URLs stop answering too. Missing workspaces are fine.
   */
  stop(id: string, options?: { closePreviews?: boolean }): Promise<StopResult>;
  status(): Promise<ProtectionReport>;
  /**
   * Background processes' CPU time per workspace: counters that only grow, for workspaces that have used some or run
   * processes now. Empty for a backend that cannot measure it.
   */
  usage(): Promise<WorkspaceUsage[]>;
  /**
   * Answers a request for a preview host: the workspace's server on that port, or a 404 (unknown workspace, port
   * not exposed, wrong token) or 502 (nothing listening) error response with a JSON `{error}` body.
   */
  previewFetch(request: Request, target: PreviewTarget): Promise<Response>;
}

/** A failed sandbox call: `code` is the machine-readable reason, `status` the HTTP status that carried it. */
export class SandboxError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, message: string, status: number) {
    super(message);
    this.name = "SandboxError";
    this.code = code;
    this.status = status;
  }
}

export const defaultLimits: Limits = {
  timeoutMs: 60_000,
  memoryMiB: 1024,
  pids: 256,
  cpus: 1,
  diskMiB: 2048,
};
