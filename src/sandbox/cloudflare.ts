// The production backend: one @cloudflare/sandbox container (a Durable Object) per workspace, behind the same
// Workspace interface as sandboxd. This module imports only the SDK's types; the SDK's runtime (getSandbox,
// proxyToSandbox, the Sandbox class) is handed in by the Worker entry, so Next.js never bundles `cloudflare:workers`.
import { credentialEnv, credentialHelper } from "./git-credential-helper.ts";
import type { ExecEvent as SdkExecEvent, ExecResult as SdkExecResult, ISandbox, Process as SdkProcess } from "@cloudflare/sandbox";
import { PREVIEW_ERROR_HEADER } from "../lib/previews/pages.ts";
import { hostnameOf, previewDomain, previewUrl, type PreviewSite } from "../lib/previews/url.ts";
import {
  defaultLimits,
  SandboxError,
  type Checkpoint,
  type CheckpointDiff,
  type CheckpointList,
  type CodeLanguage,
  type CreateCheckpointOptions,
  type Command,
  type ExecEvent,
  type ExecOptions,
  type ExecResult,
  type ExposedPort,
  type FileEntry,
  type FileType,
  type GitCloneOptions,
  type GitCommitOptions,
  type GitPushOptions,
  type GitResult,
  type GitStatus,
  type LogsOptions,
  type PreviewTarget,
  type ProcessInfo,
  type ProtectionReport,
  type RestoreResult,
  type Sandbox,
  type StartProcessOptions,
  type TemplateDependencies,
  type StopResult,
  type Workspace,
  type WorkspaceUsage,
  type WorkspaceInfo,
  type ArchiveFormat,
  type ListeningPort,
  type TerminalSession,
  type TerminalSize,
} from "./types.ts";
import { parseListeningSockets } from "./listening-ports.ts";
import { fromBase64, toBase64 } from "./base64.ts";

/** The part of the SDK's sandbox object this adapter uses (tests hand in a recorded stand-in of it). */
export type SdkSandbox = Pick<
  ISandbox,
  | "exec"
  | "execStream"
  | "startProcess"
  | "listProcesses"
  | "getProcess"
  | "killProcess"
  | "killAllProcesses"
  | "getProcessLogs"
  | "streamProcessLogs"
  | "writeFile"
  | "readFile"
  | "mkdir"
  | "deleteFile"
  | "moveFile"
  | "listFiles"
  | "exists"
  | "gitCheckout"
> & {
  exposePort(
    port: number,
    options: { hostname: string; token?: string; name?: string },
  ): Promise<{ url: string; port: number; name?: string }>;
  unexposePort(port: number): Promise<void>;
  getExposedPorts(hostname: string): Promise<{ url: string; port: number }[]>;
  destroy(): Promise<void>;
  /** Terminal sessions: the container's shell sessions, which its pty endpoint attaches to by id. */
  createSession?(options: { id: string; cwd?: string; env?: Record<string, string> }): Promise<unknown>;
  deleteSession?(sessionId: string): Promise<unknown>;
  /** WorkspaceSandbox (src/sandbox/cloudflare-do.ts): restores the last backup of /workspace into a fresh container. */
  restoreWorkspace?(): Promise<{ restored: boolean }>;
  /** WorkspaceSandbox: checkpoints as backups of /workspace to R2, their handles in the object's storage. */
  createCheckpoint?(options: CreateCheckpointOptions): Promise<Checkpoint>;
  listCheckpoints?(): Promise<Checkpoint[]>;
  restoreCheckpoint?(id: string): Promise<RestoreResult>;
};

/** The SDK's `proxyTerminal`: a WebSocket upgrade attached to a pty of the container's session `sessionId`. */
export type TerminalProxy = (sandbox: SdkSandbox, sessionId: string, request: Request, options: TerminalSize) => Promise<Response>;

/** The SDK's runtime functions, bound to the `Sandbox` Durable Object namespace. */
export type SandboxSdk = {
  getSandbox(id: string): SdkSandbox;
  proxyToSandbox(request: Request): Promise<Response | null>;
  proxyTerminal?: TerminalProxy;
};

const ROOT = "/workspace";
/** Written to the container's /tmp (never backed up): its absence means a fresh container that needs a restore. */
const RESTORED_MARKER = "/tmp/.netm8-restored";
/** @cloudflare/sandbox preview tokens are at most 16 of [a-z0-9_]. */
const TOKEN_LENGTH = 16;

export type CloudflareSandboxConfig = {
  sdk: SandboxSdk;
  /** The app's public origin (APP_URL); preview URLs are `<port>-<id>-<token>.<its host>`. */
  appOrigin?: string;
  /** PREVIEW_DOMAIN, normalized: preview URLs are then `<port>-<id>-<token>.<previewDomain>`. */
  previewDomain?: string;
};

export class CloudflareSandbox implements Sandbox {
  readonly #config: CloudflareSandboxConfig;

  constructor(config: CloudflareSandboxConfig) {
    this.#config = config;
  }

  async workspace(id: string): Promise<Workspace> {
    const sdk = this.#config.sdk.getSandbox(id);
    // A container that slept lost its disk: put the last backup of /workspace back before anything else.
    if (!(await sdk.exists(RESTORED_MARKER)).exists) {
      await sdk.restoreWorkspace?.();
      await sdk.writeFile(RESTORED_MARKER, new Date().toISOString());
    }
    const { appOrigin, previewDomain: domain } = this.#config;
    return new CloudflareWorkspace(id, sdk, appOrigin ? { appOrigin, previewDomain: domain } : undefined, this.#config.sdk.proxyTerminal);
  }

  async destroy(id: string): Promise<void> {
    await this.#config.sdk.getSandbox(id).destroy();
  }

  /** The container reports no CPU time per process: background processes are not metered on this backend. */
  async usage(): Promise<WorkspaceUsage[]> {
    return [];
  }

  /** Kills the container's running processes and unexposes its ports; the container itself sleeps when idle. */
  async stop(id: string, options: { closePreviews?: boolean } = {}): Promise<StopResult> {
    const { appOrigin, previewDomain: domain } = this.#config;
    const workspace = new CloudflareWorkspace(
      id,
      this.#config.sdk.getSandbox(id),
      appOrigin ? { appOrigin, previewDomain: domain } : undefined,
    );
    const ports = options.closePreviews ? await workspace.exposedPorts() : [];
    for (const { port } of ports) await workspace.unexposePort(port);
    const running = (await workspace.listProcesses()).filter((p) => p.status === "running");
    for (const process of running) await workspace.stopProcess(process.id);
    return { processesStopped: running.length, previewsClosed: ports.length };
  }

  async status(): Promise<ProtectionReport> {
    return {
      root: false,
      protections: {
        container: { enabled: true, detail: "Cloudflare container per workspace (own VM, own network), @cloudflare/sandbox" },
      },
      missing: [],
    };
  }

  /** proxyToSandbox checks the token; its own refusals are marked so the Worker shows the preview error pages. */
  async previewFetch(request: Request, target: PreviewTarget): Promise<Response> {
    const response = await this.#config.sdk.proxyToSandbox(request);
    if (!response) return marked(404, "preview_not_found");
    const code = await sdkRefusal(response);
    return code ? marked(code === "preview_not_found" ? 404 : 502, code, target.port) : response;
  }
}

function marked(status: number, code: string, port?: number): Response {
  return Response.json(
    { error: { code, message: port ? `preview of port ${port}: ${code}` : code } },
    { status, headers: { [PREVIEW_ERROR_HEADER]: code } },
  );
}

/** Recognizes the SDK's own error answers (not the workspace server's) by their exact status and body. */
async function sdkRefusal(response: Response): Promise<string | null> {
  if (![404, 410, 500].includes(response.status)) return null;
  const text = await response
    .clone()
    .text()
    .catch(() => "");
  if (response.status === 404 && text.includes('"INVALID_TOKEN"')) return "preview_not_found";
  if (response.status === 410 && text.includes('"STALE_PREVIEW_URL"')) return "port_not_listening";
  if (response.status === 500 && (text === "Proxy routing error" || text.startsWith("Container suddenly disconnected")))
    return "port_not_listening";
  return null;
}

/** `path` relative to /workspace or absolute under it, as an absolute path; anything leaving it is refused. */
export function workspacePath(path: string): string {
  if (path.includes("\0")) throw new SandboxError("invalid_path", "path contains a NUL byte", 400);
  if (path.split(/[\\/]+/).includes("..")) throw new SandboxError("invalid_path", `path may not contain "..": ${path}`, 400);
  const absolute = path.startsWith("/") ? path : `${ROOT}/${path}`;
  const normal =
    absolute
      .replace(/\/+/g, "/")
      .replace(/\/(\.\/)+/g, "/")
      .replace(/\/\.$/, "")
      .replace(/\/+$/, "") || "/";
  if (normal !== ROOT && !normal.startsWith(`${ROOT}/`))
    throw new SandboxError("path_outside_workspace", `path is outside the workspace (${ROOT}): ${path}`, 403);
  return normal;
}

/** A command as one shell string: arrays are quoted word by word. */
export function shellCommand(command: Command): string {
  if (typeof command === "string") return command;
  return command.map((word) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`)).join(" ");
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_LENGTH * 2));
  let token = "";
  for (const byte of bytes) if (byte < 252 && token.length < TOKEN_LENGTH) token += "abcdefghijklmnopqrstuvwxyz0123456789"[byte % 36];
  return token.padEnd(TOKEN_LENGTH, "0");
}

function toProcessInfo(
  process: Pick<SdkProcess, "id" | "command" | "status" | "startTime" | "endTime" | "exitCode">,
  cwd = ROOT,
): ProcessInfo {
  const running = process.status === "starting" || process.status === "running";
  const date = (value: Date | string | undefined) => (value ? new Date(value).toISOString() : null);
  return {
    id: process.id,
    command: process.command,
    cwd,
    status: running ? "running" : "exited",
    startedAt: date(process.startTime) ?? new Date(0).toISOString(),
    exitedAt: running ? null : date(process.endTime),
    exitCode: running ? null : (process.exitCode ?? null),
    reason: running ? null : process.status === "killed" ? "stopped" : process.status === "completed" ? "exited" : process.status,
  };
}

/** Filled at image build time with every template's locked packages (see the Dockerfile). */
const TEMPLATE_NPM_CACHE = "/opt/netm8/npm-cache";

export class CloudflareWorkspace implements Workspace {
  readonly id: string;
  readonly #sdk: SdkSandbox;
  readonly #site: PreviewSite | undefined;
  readonly #proxyTerminal: TerminalProxy | undefined;

  constructor(id: string, sdk: SdkSandbox, site?: PreviewSite, proxyTerminal?: TerminalProxy) {
    this.id = id;
    this.#sdk = sdk;
    this.#site = site;
    this.#proxyTerminal = proxyTerminal;
  }

  /** The host the SDK builds its own preview URLs on: the preview domain, else the app's host. */
  get #previewHostname(): string {
    if (!this.#site) return "localhost";
    return this.#site.previewDomain ? hostnameOf(this.#site.previewDomain) : new URL(this.#site.appOrigin).hostname;
  }

  async info(): Promise<WorkspaceInfo> {
    return { id: this.id, createdAt: new Date(0).toISOString(), network: true, limits: defaultLimits, root: ROOT, disk: null };
  }

  async setNetwork(enabled: boolean): Promise<WorkspaceInfo> {
    if (!enabled) throw new SandboxError("not_supported", "the Cloudflare sandbox cannot switch its network off", 400);
    return this.info();
  }

  async exec(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    let line = shellCommand(command);
    if (options.stdin !== undefined) {
      const input = `/tmp/.stdin-${randomToken()}`;
      await this.#sdk.writeFile(input, options.stdin);
      line = `(${line}) < ${input}; status=$?; rm -f ${input}; exit $status`;
    }
    const timeoutMs = options.timeoutMs ?? defaultLimits.timeoutMs;
    const result: SdkExecResult = await this.#sdk.exec(line, {
      cwd: workspacePath(options.cwd ?? "."),
      env: options.env,
      timeout: timeoutMs,
    });
    return withLimit({ exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr, durationMs: result.duration }, timeoutMs);
  }

  async *execStream(command: Command, options: ExecOptions & { signal?: AbortSignal } = {}): AsyncIterable<ExecEvent> {
    const timeoutMs = options.timeoutMs ?? defaultLimits.timeoutMs;
    const stream = await this.#sdk.execStream(shellCommand(command), {
      cwd: workspacePath(options.cwd ?? "."),
      env: options.env,
      timeout: timeoutMs,
      signal: options.signal,
    });
    const started = Date.now();
    for await (const event of sseEvents<SdkExecEvent>(stream)) {
      if ((event.type === "stdout" || event.type === "stderr") && event.data) yield { type: event.type, data: event.data };
      else if (event.type === "complete") {
        const durationMs = event.result?.duration ?? Date.now() - started;
        const exit = withLimit({ exitCode: event.exitCode ?? event.result?.exitCode ?? 0, stdout: "", stderr: "", durationMs }, timeoutMs);
        yield { type: "exit", exitCode: exit.exitCode, durationMs, ...(exit.error && { error: exit.error }) };
      } else if (event.type === "error") throw new SandboxError("exec_failed", event.error ?? "the command failed to run", 500);
    }
  }

  runCode(language: CodeLanguage, code: string, options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.exec(language === "python" ? ["python3", "-"] : ["node", "-"], { stdin: code, timeoutMs: options.timeoutMs });
  }

  async readFile(path: string): Promise<string> {
    const file = await this.#sdk.readFile(workspacePath(path), { encoding: "utf-8" });
    return file.encoding === "base64" ? new TextDecoder().decode(fromBase64(file.content)) : file.content;
  }

  async readFileBytes(path: string): Promise<Uint8Array> {
    const file = await this.#sdk.readFile(workspacePath(path), { encoding: "base64" });
    return file.encoding === "utf-8" ? new TextEncoder().encode(file.content) : fromBase64(file.content);
  }

  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    const target = workspacePath(path);
    const parent = target.slice(0, target.lastIndexOf("/"));
    if (parent && parent !== ROOT) await this.#sdk.mkdir(parent, { recursive: true });
    if (typeof content === "string") await this.#sdk.writeFile(target, content, { encoding: "utf-8" });
    else await this.#sdk.writeFile(target, toBase64(content), { encoding: "base64" });
  }

  async listFiles(path = ".", options: { recursive?: boolean } = {}): Promise<FileEntry[]> {
    const listing = await this.#sdk.listFiles(workspacePath(path), { recursive: options.recursive ?? false, includeHidden: true });
    return listing.files.map((file) => ({
      name: file.name,
      path: file.absolutePath.startsWith(`${ROOT}/`) ? file.absolutePath.slice(ROOT.length + 1) : file.relativePath,
      type: file.type,
      size: file.size,
      modifiedAt: Date.parse(file.modifiedAt) || 0,
    }));
  }

  async mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    await this.#sdk.mkdir(workspacePath(path), { recursive: options.recursive ?? true });
  }

  async deleteFile(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    const target = workspacePath(path);
    if (target === ROOT) throw new SandboxError("invalid_path", "the workspace root cannot be deleted", 400);
    if (options.recursive) {
      const result = await this.#sdk.exec(shellCommand(["rm", "-rf", "--", target]));
      if (result.exitCode !== 0) throw new SandboxError("io_error", result.stderr.trim() || `cannot delete ${path}`, 500);
    } else await this.#sdk.deleteFile(target);
  }

  async moveFile(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    const target = workspacePath(to);
    if (!options.overwrite && (await this.#sdk.exists(target)).exists)
      throw new SandboxError("already_exists", `already exists: ${to}`, 409);
    await this.#sdk.moveFile(workspacePath(from), target);
  }

  async exists(path: string): Promise<{ exists: boolean; type?: FileType }> {
    const target = workspacePath(path);
    if (!(await this.#sdk.exists(target)).exists) return { exists: false };
    const kind = await this.#sdk.exec(
      `if [ -L ${shellCommand([target])} ]; then echo symlink; elif [ -d ${shellCommand([target])} ]; then echo directory; elif [ -f ${shellCommand([target])} ]; then echo file; else echo other; fi`,
    );
    return { exists: true, type: kind.stdout.trim() as FileType };
  }

  async startProcess(command: Command, options: StartProcessOptions = {}): Promise<ProcessInfo> {
    const cwd = workspacePath(options.cwd ?? ".");
    return toProcessInfo(await this.#sdk.startProcess(shellCommand(command), { cwd, env: options.env }), cwd);
  }

  async listProcesses(): Promise<ProcessInfo[]> {
    return (await this.#sdk.listProcesses()).map((p) => toProcessInfo(p));
  }

  async getProcess(id: string): Promise<ProcessInfo> {
    const process = await this.#sdk.getProcess(id);
    if (!process) throw new SandboxError("process_not_found", `no process with id ${id}`, 404);
    return toProcessInfo(process);
  }

  async *processLogs(id: string, options: LogsOptions = {}): AsyncIterable<string> {
    if (!options.follow) {
      const logs = await this.#sdk.getProcessLogs(id);
      const text = logs.stdout + logs.stderr;
      if (text) yield text;
      return;
    }
    const stream = await this.#sdk.streamProcessLogs(id, { signal: options.signal });
    for await (const event of sseEvents<{ type: string; data?: string }>(stream)) {
      if ((event.type === "stdout" || event.type === "stderr") && event.data) yield event.data;
      if (event.type === "exit") return;
    }
  }

  async stopProcess(id: string): Promise<ProcessInfo> {
    await this.#sdk.killProcess(id);
    return this.getProcess(id);
  }

  async stopAllProcesses(_reason: string): Promise<ProcessInfo[]> {
    await this.#sdk.killAllProcesses();
    return this.listProcesses();
  }

  async restartProcess(id: string): Promise<ProcessInfo> {
    const old = await this.#sdk.getProcess(id);
    if (!old) throw new SandboxError("process_not_found", `no process with id ${id}`, 404);
    if (old.status === "running" || old.status === "starting") await this.#sdk.killProcess(id);
    return toProcessInfo(await this.#sdk.startProcess(old.command, {}));
  }

  async gitClone(options: GitCloneOptions): Promise<GitResult> {
    const started = Date.now();
    const name =
      options.url
        .replace(/\/+$/, "")
        .split("/")
        .pop()
        ?.replace(/\.git$/, "") || "repo";
    try {
      await this.#sdk.gitCheckout(options.url, {
        branch: options.branch,
        targetDir: workspacePath(options.dir ?? name),
        depth: options.depth,
        cloneTimeoutMs: options.timeoutMs,
      });
      return { exitCode: 0, stdout: "", stderr: "", durationMs: Date.now() - started };
    } catch (error) {
      return { exitCode: 128, stdout: "", stderr: `${(error as Error).message}\n`, durationMs: Date.now() - started };
    }
  }

  async gitStatus(dir: string): Promise<GitStatus> {
    const result = await this.exec(["git", "status", "--porcelain=v1", "--branch"], { cwd: dir });
    if (result.exitCode !== 0) throw new SandboxError("git_failed", result.stderr.trim(), 400);
    const [head = "", ...lines] = result.stdout.split("\n").filter(Boolean);
    const branch = /^## (?:No commits yet on )?([^.\s]+)/.exec(head)?.[1] ?? null;
    const entries = lines.map((line) => ({ status: line.slice(0, 2), path: line.slice(3) }));
    return { branch, clean: entries.length === 0, entries };
  }

  async gitDiff(dir: string, options: { staged?: boolean } = {}): Promise<string> {
    return (await this.exec(["git", "diff", ...(options.staged ? ["--staged"] : [])], { cwd: dir })).stdout;
  }

  async gitCommit(options: GitCommitOptions): Promise<GitResult> {
    const author = options.author ?? { name: "netM8 agent", email: "agent@netm8.invalid" };
    const env = {
      GIT_AUTHOR_NAME: author.name,
      GIT_AUTHOR_EMAIL: author.email,
      GIT_COMMITTER_NAME: author.name,
      GIT_COMMITTER_EMAIL: author.email,
    };
    const add = options.all === false ? "" : "git add -A && ";
    return this.exec(`${add}git commit -m ${shellCommand([options.message])}`, { cwd: options.dir, env });
  }

  async gitPush(options: GitPushOptions): Promise<GitResult> {
    // Credentials reach git only through the environment and the host-bound helper, never argv or a file. Unlike
    // sandboxd, the Cloudflare container runs this beside the workspace's own processes (see README, Secrets).
    const args = [
      "git",
      "-c",
      "core.hooksPath=/dev/null",
      "-c",
      "credential.helper=",
      "-c",
      `credential.helper=${credentialHelper}`,
      "push",
      options.remote ?? "origin",
      ...(options.branch ? [options.branch] : []),
    ];
    const env = {
      ...options.env,
      ...(options.credentials && credentialEnv(options.credentials)),
    };
    return this.exec(args, { cwd: options.dir, env, timeoutMs: options.timeoutMs });
  }

  async createCheckpoint(options: CreateCheckpointOptions = {}): Promise<Checkpoint> {
    if (!this.#sdk.createCheckpoint) throw checkpointsUnsupported();
    return this.#sdk.createCheckpoint(options);
  }

  async listCheckpoints(): Promise<CheckpointList> {
    if (!this.#sdk.listCheckpoints) throw checkpointsUnsupported();
    return { checkpoints: await this.#sdk.listCheckpoints(), storeBytes: null };
  }

  /** A backup is a squashfs archive in R2 that only a restore opens: there is nothing to compare without one. */
  async diffCheckpoint(_from: string, _to: string): Promise<CheckpointDiff> {
    throw new SandboxError("not_supported", "the Cloudflare sandbox cannot compare checkpoints (its backups are opaque archives)", 501);
  }

  async restoreCheckpoint(id: string): Promise<RestoreResult> {
    if (!this.#sdk.restoreCheckpoint || !this.#sdk.listCheckpoints) throw checkpointsUnsupported();
    if (!(await this.#sdk.listCheckpoints()).some((c) => c.id === id))
      throw new SandboxError("checkpoint_not_found", `no checkpoint ${id} in this workspace`, 404);
    return this.#sdk.restoreCheckpoint(id);
  }

  /** The container image keeps an npm cache filled with every template's packages (Dockerfile): installs need no download. */
  async provideTemplateDependencies(): Promise<TemplateDependencies> {
    return { provided: false, reason: "the container installs from the npm cache in its image", npmCache: TEMPLATE_NPM_CACHE };
  }

  async exposePort(port: number): Promise<ExposedPort> {
    if (port === 3000 || port < 1024)
      throw new SandboxError("invalid_port", "ports 1024-65535 can be previewed, except 3000 (the sandbox's control port)", 400);
    const existing = (await this.exposedPorts()).find((p) => p.port === port);
    const token = existing?.token ?? randomToken();
    await this.#sdk.exposePort(port, { hostname: this.#previewHostname, token });
    return this.#describe(port, token);
  }

  async unexposePort(port: number): Promise<void> {
    await this.#sdk.unexposePort(port);
  }

  async exposedPorts(): Promise<ExposedPort[]> {
    return (await this.#sdk.getExposedPorts(this.#previewHostname)).map((p) =>
      this.#describe(p.port, new URL(p.url).hostname.split(".")[0]!.split("-").pop()!),
    );
  }

  async listeningPorts(): Promise<ListeningPort[]> {
    const result = await this.#sdk.exec("cat /proc/net/tcp /proc/net/tcp6 2>/dev/null", { timeout: 10_000 });
    // 3000 is the container's own control server, never the user's.
    return parseListeningSockets(result.stdout).filter((p) => p.port !== 3000);
  }

  /**
   * tar.gz only: made in the container's /tmp (tar stores symlinks as links and the path's real location must be in
   * /workspace), then read back whole. The container has no zip tool; a zip answers 501 with that reason.
   */
  async archive(path: string, format: ArchiveFormat): Promise<ReadableStream<Uint8Array>> {
    if (format !== "tar.gz")
      throw new SandboxError("not_supported", "the Cloudflare sandbox makes tar.gz archives only (the container has no zip tool)", 501);
    const target = workspacePath(path);
    const file = `/tmp/.archive-${randomToken()}.tar.gz`;
    const parent = target === ROOT ? "/" : target.slice(0, target.lastIndexOf("/")) || "/";
    const name = target.slice(target.lastIndexOf("/") + 1);
    const script = [
      `real=$(realpath -e ${shellCommand([target])}) || exit 3`,
      `case "$real" in ${ROOT}|${ROOT}/*) ;; *) exit 4;; esac`,
      `tar -czf ${file} -C ${shellCommand([parent])} ${shellCommand([name])}`,
    ].join("\n");
    const made = await this.#sdk.exec(script, { timeout: 15 * 60_000 });
    if (made.exitCode === 3) throw new SandboxError("not_found", `no such file or directory: ${path}`, 404);
    if (made.exitCode === 4) throw new SandboxError("path_outside_workspace", `path resolves outside the workspace: ${path}`, 403);
    if (made.exitCode !== 0) throw new SandboxError("archive_failed", `the archive could not be made: ${made.stderr.trim()}`, 500);
    const bytes = await this.readFileBytes(file).finally(() => this.#sdk.deleteFile(file).catch(() => {}));
    return new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes);
        controller.close();
      },
    });
  }

  /** A terminal is a shell session of the container (in /workspace), which the SDK's pty endpoint attaches to by id. */
  async openTerminal(size: TerminalSize): Promise<TerminalSession> {
    if (!this.#proxyTerminal) throw terminalsUnsupported();
    const id = `term_${randomToken()}`;
    await this.#sdk.createSession?.({ id, cwd: ROOT, env: { TERM: "xterm-256color" } });
    return { id, createdAt: new Date().toISOString(), ...size, attached: false };
  }

  /** The container keeps no list of terminals this adapter could read. */
  async listTerminals(): Promise<TerminalSession[]> {
    return [];
  }

  async closeTerminal(id: string): Promise<void> {
    await this.#sdk.deleteSession?.(id);
  }

  terminalFetch(request: Request, id: string): Promise<Response> {
    if (!this.#proxyTerminal) throw terminalsUnsupported();
    const url = new URL(request.url);
    const size = { cols: Number(url.searchParams.get("cols")) || 80, rows: Number(url.searchParams.get("rows")) || 24 };
    return this.#proxyTerminal(this.#sdk, id, request, size);
  }

  #describe(port: number, token: string): ExposedPort {
    const exposed: ExposedPort = { port, token, exposedAt: new Date().toISOString() };
    if (this.#site) exposed.url = previewUrl(this.#site, { port, sandboxId: this.id, token });
    return exposed;
  }

  async destroy(): Promise<void> {
    await this.#sdk.destroy();
  }
}

function terminalsUnsupported(): SandboxError {
  return new SandboxError(
    "not_supported",
    "this Cloudflare sandbox binding offers no terminal (the SDK's proxyTerminal was not handed in)",
    501,
  );
}

function withLimit(result: ExecResult, timeoutMs: number): ExecResult {
  if (result.durationMs < timeoutMs || result.exitCode === 0) return result;
  return {
    ...result,
    error: { code: "timeout_exceeded", limit: "timeout", message: `the command ran longer than ${timeoutMs} ms and was stopped` },
  };
}

/** The SDK streams exec and log events as server-sent events (`data: <json>` blocks). */
async function* sseEvents<T>(stream: ReadableStream<Uint8Array>): AsyncIterable<T> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffered = "";
  try {
    while (true) {
      const { done, value } = await reader.read();
      buffered += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffered.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end).replace(/^\r?\n\r?\n/, "");
        const data = block
          .split(/\r?\n/)
          .filter((l) => l.startsWith("data:"))
          .map((l) => l.slice(5).trimStart())
          .join("\n");
        if (data) yield JSON.parse(data) as T;
      }
      if (done) break;
    }
  } finally {
    reader.releaseLock();
  }
}

/** The SDK runtime the Worker entry registers (see worker.ts); a global because Next.js bundles its own copy of this module. */
const REGISTRY = Symbol.for("netm8.cloudflare-sandbox-sdk");

export function registerSandboxSdk(factory: (env: unknown) => SandboxSdk | null): void {
  (globalThis as Record<symbol, unknown>)[REGISTRY] = factory;
}

export function cloudflareSandboxFromEnv(env: { APP_URL?: string; PREVIEW_DOMAIN?: string }): CloudflareSandbox {
  const factory = (globalThis as Record<symbol, unknown>)[REGISTRY] as ((env: unknown) => SandboxSdk | null) | undefined;
  const sdk = factory?.(env);
  if (!sdk)
    throw new SandboxError(
      "not_configured",
      "SANDBOX_BACKEND=cloudflare needs the Sandbox Durable Object binding (env.production in wrangler.jsonc)",
      503,
    );
  return new CloudflareSandbox({ sdk, appOrigin: env.APP_URL, previewDomain: previewDomain(env) });
}

function checkpointsUnsupported(): SandboxError {
  return new SandboxError("not_supported", "this sandbox has no checkpoint store", 501);
}
