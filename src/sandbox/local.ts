// The local backend: talks to sandboxd over HTTP with fetch only, so it runs inside a Worker as well as in Node.
import { previewDomain, previewUrl, type PreviewSite } from "../lib/previews/url.ts";
import {
  SandboxError,
  type Checkpoint,
  type CheckpointDiff,
  type CheckpointList,
  type CodeLanguage,
  type CreateCheckpointOptions,
  type Command,
  type ExposedPort,
  type ExecEvent,
  type ExecOptions,
  type ExecResult,
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
  type ArchiveFormat,
  type ListeningPort,
  type TerminalSession,
  type TerminalSize,
  type Workspace,
  type WorkspaceUsage,
  type WorkspaceInfo,
  type WorkspaceOptions,
} from "./types.ts";
import { fromBase64, toBase64 } from "./base64.ts";

export type LocalSandboxConfig = {
  /** e.g. http://127.0.0.1:7801 (SANDBOXD_URL) */
  url: string;
  /** SANDBOXD_SECRET */
  secret: string;
  fetch?: typeof fetch;
  /** The app's public origin (APP_URL): exposed ports then carry their preview URL. */
  appOrigin?: string;
  /** PREVIEW_DOMAIN, normalized: previews then live on `<label>.<previewDomain>`. */
  previewDomain?: string;
};

export class LocalSandbox implements Sandbox {
  readonly #http: SandboxdHttp;
  readonly #site: PreviewSite | undefined;

  constructor(config: LocalSandboxConfig) {
    this.#http = new SandboxdHttp(config);
    this.#site = config.appOrigin ? { appOrigin: config.appOrigin, previewDomain: config.previewDomain } : undefined;
  }

  /** Reads SANDBOXD_URL and SANDBOXD_SECRET from a Worker env binding object (or the Node environment). */
  static fromEnv(env: { SANDBOXD_URL?: string; SANDBOXD_SECRET?: string; APP_URL?: string; PREVIEW_DOMAIN?: string }): LocalSandbox {
    if (!env.SANDBOXD_URL || !env.SANDBOXD_SECRET) {
      throw new SandboxError("not_configured", "SANDBOXD_URL and SANDBOXD_SECRET must be set", 500);
    }
    return new LocalSandbox({
      url: env.SANDBOXD_URL,
      secret: env.SANDBOXD_SECRET,
      appOrigin: env.APP_URL,
      previewDomain: previewDomain(env),
    });
  }

  async workspace(id: string, options: WorkspaceOptions = {}): Promise<Workspace> {
    await this.#http.json("PUT", `/v1/workspaces/${encodeURIComponent(id)}`, options);
    return new LocalWorkspace(this.#http, id, this.#site);
  }

  /** Relays a preview request (WebSocket upgrades included) to sandboxd, which checks the token. */
  previewFetch(request: Request, target: PreviewTarget): Promise<Response> {
    const url = new URL(request.url);
    const headers = new Headers(request.headers);
    const own = headers.get("authorization");
    headers.delete("authorization");
    if (own) headers.set("x-preview-authorization", own);
    headers.set("x-preview-token", target.token);
    headers.set("x-forwarded-host", request.headers.get("host") ?? url.host);
    const path = `/v1/workspaces/${encodeURIComponent(target.sandboxId)}/ports/${target.port}/relay${url.pathname}${url.search}`;
    // Node's fetch needs `duplex` to stream a request body; workerd ignores it.
    const init = {
      method: request.method,
      headers,
      body: request.body,
      redirect: "manual",
      ...(request.body && { duplex: "half" }),
    } as RequestInit;
    return this.#http.raw(path, init);
  }

  async destroy(id: string): Promise<void> {
    await this.#http.json("DELETE", `/v1/workspaces/${encodeURIComponent(id)}`);
  }

  async stop(id: string, options: { closePreviews?: boolean } = {}): Promise<StopResult> {
    try {
      return await this.#http.json("POST", `/v1/workspaces/${encodeURIComponent(id)}/stop`, options);
    } catch (error) {
      if (error instanceof SandboxError && error.code === "workspace_not_found") return { processesStopped: 0, previewsClosed: 0 };
      throw error;
    }
  }

  status(): Promise<ProtectionReport> {
    return this.#http.json("GET", "/v1/status");
  }

  async usage(): Promise<WorkspaceUsage[]> {
    return (await this.#http.json<{ workspaces: WorkspaceUsage[] }>("GET", "/v1/usage")).workspaces;
  }
}

class LocalWorkspace implements Workspace {
  readonly id: string;
  readonly #http: SandboxdHttp;
  readonly #base: string;
  readonly #site: PreviewSite | undefined;

  constructor(http: SandboxdHttp, id: string, site?: PreviewSite) {
    this.#http = http;
    this.id = id;
    this.#base = `/v1/workspaces/${encodeURIComponent(id)}`;
    this.#site = site;
  }

  #withUrl(exposed: ExposedPort): ExposedPort {
    if (!this.#site) return exposed;
    return { ...exposed, url: previewUrl(this.#site, { port: exposed.port, sandboxId: this.id, token: exposed.token }) };
  }

  #post<T>(path: string, body: unknown): Promise<T> {
    return this.#http.json("POST", `${this.#base}${path}`, body);
  }

  provideTemplateDependencies(template: string, dir: string): Promise<TemplateDependencies> {
    return this.#post("/template-deps", { template, dir });
  }

  info(): Promise<WorkspaceInfo> {
    return this.#http.json("GET", this.#base);
  }

  setNetwork(enabled: boolean): Promise<WorkspaceInfo> {
    return this.#http.json("PATCH", this.#base, { network: enabled });
  }

  exec(command: Command, options: ExecOptions = {}): Promise<ExecResult> {
    return this.#post("/exec", { command, ...options });
  }

  async *execStream(command: Command, options: ExecOptions & { signal?: AbortSignal } = {}): AsyncIterable<ExecEvent> {
    const { signal, ...rest } = options;
    const response = await this.#http.request("POST", `${this.#base}/exec/stream`, { command, ...rest }, signal);
    let exited = false;
    try {
      for await (const line of lines(response.body!)) {
        const event = JSON.parse(line) as ExecEvent | { type: "error"; error: { code: string; message: string } };
        if (event.type === "error") throw new SandboxError(event.error.code, event.error.message, 500);
        if (event.type === "exit") exited = true;
        yield event;
      }
    } catch (error) {
      if (error instanceof SandboxError || signal?.aborted) throw error;
      throw this.#http.unavailable(error, "while the command was running");
    }
    // sandboxd always ends a command's stream with its exit; a stream that just stops means sandboxd went away.
    if (!exited && !signal?.aborted)
      throw this.#http.unavailable(new Error("the connection ended before the command finished"), "while the command was running");
  }

  runCode(language: CodeLanguage, code: string, options: { timeoutMs?: number } = {}): Promise<ExecResult> {
    return this.#post("/code", { language, code, ...options });
  }

  async readFile(path: string): Promise<string> {
    return (await this.#post<{ content: string }>("/files/read", { path, encoding: "utf8" })).content;
  }

  async readFileBytes(path: string): Promise<Uint8Array> {
    return fromBase64((await this.#post<{ content: string }>("/files/read", { path, encoding: "base64" })).content);
  }

  async writeFile(path: string, content: string | Uint8Array): Promise<void> {
    const body =
      typeof content === "string" ? { path, content, encoding: "utf8" } : { path, content: toBase64(content), encoding: "base64" };
    await this.#post("/files/write", body);
  }

  async listFiles(path = ".", options: { recursive?: boolean } = {}): Promise<FileEntry[]> {
    return (await this.#post<{ entries: FileEntry[] }>("/files/list", { path, ...options })).entries;
  }

  async mkdir(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    await this.#post("/files/mkdir", { path, ...options });
  }

  async deleteFile(path: string, options: { recursive?: boolean } = {}): Promise<void> {
    await this.#post("/files/delete", { path, ...options });
  }

  async moveFile(from: string, to: string, options: { overwrite?: boolean } = {}): Promise<void> {
    await this.#post("/files/move", { from, to, ...options });
  }

  exists(path: string): Promise<{ exists: boolean; type?: FileType }> {
    return this.#post("/files/exists", { path });
  }

  startProcess(command: Command, options: StartProcessOptions = {}): Promise<ProcessInfo> {
    return this.#post("/processes", { command, ...options });
  }

  async listProcesses(): Promise<ProcessInfo[]> {
    return (await this.#http.json<{ processes: ProcessInfo[] }>("GET", `${this.#base}/processes`)).processes;
  }

  getProcess(id: string): Promise<ProcessInfo> {
    return this.#http.json("GET", `${this.#base}/processes/${encodeURIComponent(id)}`);
  }

  async *processLogs(id: string, options: LogsOptions = {}): AsyncIterable<string> {
    const query = options.follow ? "?follow=1" : "";
    const response = await this.#http.request(
      "GET",
      `${this.#base}/processes/${encodeURIComponent(id)}/logs${query}`,
      undefined,
      options.signal,
    );
    const decoder = new TextDecoder();
    const reader = response.body!.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        const text = decoder.decode(value, { stream: true });
        if (text) yield text;
      }
      const rest = decoder.decode();
      if (rest) yield rest;
    } finally {
      await reader.cancel().catch(() => {});
    }
  }

  stopProcess(id: string): Promise<ProcessInfo> {
    return this.#post(`/processes/${encodeURIComponent(id)}/stop`, {});
  }

  async stopAllProcesses(reason: string): Promise<ProcessInfo[]> {
    return (await this.#post<{ processes: ProcessInfo[] }>("/processes/stop-all", { reason })).processes;
  }

  restartProcess(id: string): Promise<ProcessInfo> {
    return this.#post(`/processes/${encodeURIComponent(id)}/restart`, {});
  }

  gitClone(options: GitCloneOptions): Promise<GitResult> {
    return this.#post("/git/clone", options);
  }

  gitStatus(dir: string): Promise<GitStatus> {
    return this.#post("/git/status", { dir });
  }

  async gitDiff(dir: string, options: { staged?: boolean } = {}): Promise<string> {
    return (await this.#post<{ diff: string }>("/git/diff", { dir, ...options })).diff;
  }

  gitCommit(options: GitCommitOptions): Promise<GitResult> {
    return this.#post("/git/commit", options);
  }

  gitPush(options: GitPushOptions): Promise<GitResult> {
    return this.#post("/git/push", options);
  }

  async createCheckpoint(options: CreateCheckpointOptions = {}): Promise<Checkpoint> {
    return (await this.#post<{ checkpoint: Checkpoint }>("/checkpoints", options)).checkpoint;
  }

  listCheckpoints(): Promise<CheckpointList> {
    return this.#http.json("GET", `${this.#base}/checkpoints`);
  }

  diffCheckpoint(from: string, to: string): Promise<CheckpointDiff> {
    return this.#http.json("GET", `${this.#base}/checkpoints/${encodeURIComponent(from)}/diff?to=${encodeURIComponent(to)}`);
  }

  restoreCheckpoint(id: string): Promise<RestoreResult> {
    return this.#post(`/checkpoints/${encodeURIComponent(id)}/restore`, {});
  }

  async exposePort(port: number): Promise<ExposedPort> {
    return this.#withUrl(await this.#post<ExposedPort>("/ports", { port }));
  }

  async unexposePort(port: number): Promise<void> {
    await this.#http.json("DELETE", `${this.#base}/ports/${port}`);
  }

  async exposedPorts(): Promise<ExposedPort[]> {
    return (await this.#http.json<{ ports: ExposedPort[] }>("GET", `${this.#base}/ports`)).ports.map((p) => this.#withUrl(p));
  }

  async listeningPorts(): Promise<ListeningPort[]> {
    return (await this.#http.json<{ ports: ListeningPort[] }>("GET", `${this.#base}/ports/listening`)).ports;
  }

  async archive(path: string, format: ArchiveFormat): Promise<ReadableStream<Uint8Array>> {
    const query = new URLSearchParams({ path, format });
    const response = await this.#http.request("GET", `${this.#base}/archive?${query}`);
    return response.body!;
  }

  openTerminal(size: TerminalSize): Promise<TerminalSession> {
    return this.#post("/terminals", size);
  }

  async listTerminals(): Promise<TerminalSession[]> {
    return (await this.#http.json<{ terminals: TerminalSession[] }>("GET", `${this.#base}/terminals`)).terminals;
  }

  async closeTerminal(id: string): Promise<void> {
    await this.#http.json("DELETE", `${this.#base}/terminals/${encodeURIComponent(id)}`);
  }

  /** Hands the upgrade to sandboxd, which checks the session; workerd's fetch answers 101 with the WebSocket. */
  async terminalFetch(request: Request, id: string): Promise<Response> {
    const headers = new Headers();
    for (const name of ["upgrade", "connection", "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol"]) {
      const value = request.headers.get(name);
      if (value) headers.set(name, value);
    }
    const response = await this.#http.raw(`${this.#base}/terminals/${encodeURIComponent(id)}`, { method: "GET", headers });
    if (response.status === 101) return response;
    const payload = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
    throw new SandboxError(
      payload?.error?.code ?? "http_error",
      payload?.error?.message ?? `sandboxd answered ${response.status}`,
      response.status,
    );
  }

  async destroy(): Promise<void> {
    await this.#http.json("DELETE", this.#base);
  }
}

class SandboxdHttp {
  readonly #url: string;
  readonly #secret: string;
  readonly #fetch: typeof fetch;

  constructor(config: LocalSandboxConfig) {
    this.#url = config.url.replace(/\/+$/, "");
    this.#secret = config.secret;
    this.#fetch = config.fetch ?? ((input, init) => fetch(input, init));
  }

  /** Sends a request with the shared secret and returns sandboxd's answer whatever its status. */
  raw(path: string, init: RequestInit): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${this.#secret}`);
    return this.#fetch(`${this.#url}${path}`, { ...init, headers });
  }

  async request(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#secret}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await this.#fetch(`${this.#url}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw this.unavailable(error);
    }
    if (!response.ok) {
      const payload = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
      throw new SandboxError(
        payload?.error?.code ?? "http_error",
        payload?.error?.message ?? `sandboxd answered ${response.status}`,
        response.status,
      );
    }
    return response;
  }

  /** The error for a sandboxd that cannot be reached or went away mid-request (crashed, restarting, not started). */
  unavailable(cause: unknown, when = ""): SandboxError {
    const detail = cause instanceof Error ? cause.message : String(cause);
    return new SandboxError(
      "sandbox_unavailable",
      `The sandbox is unavailable: sandboxd at ${this.#url} could not be reached${when ? ` ${when}` : ""} (${detail}). Files already saved in the workspace are kept; try again once sandboxd is running.`,
      503,
    );
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }
}

async function* lines(body: ReadableStream<Uint8Array>): AsyncIterable<string> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffered = "";
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (line) yield line;
      }
    }
    buffered += decoder.decode();
    if (buffered) yield buffered;
  } finally {
    reader.releaseLock();
  }
}
