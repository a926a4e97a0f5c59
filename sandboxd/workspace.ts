import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  defaultLimits,
  type Command,
  type ExecResult,
  type Limits,
  type ProcessInfo,
  type WorkspaceInfo,
  type WorkspaceOptions,
  type WorkspaceUsage,
} from "../src/sandbox/types.ts";
import { baseEnv, type SandboxSpec } from "./bwrap.ts";
import { type Capabilities, usesDiskImage, usesNetns, usesOwnUid, usesPasta } from "./capabilities.ts";
import {
  type DepsMount,
  mountDeps,
  mountedDeps,
  newLayerId,
  readDepsRecords,
  removeOrphanLayers,
  unmountDeps,
  writeDepsRecords,
} from "./deps-mounts.ts";
import { diskUsage, fillSpareImage, mountDiskImage, prepareDiskLayout, spareImagePath, unmountDiskImage } from "./disk.ts";
import { HttpError, fileOpError, notFound } from "./errors.ts";
import {
  type ExecExit,
  Executor,
  ExecutorGone,
  ExecutorOpError,
  type RelayConnection,
  type RelayHandlers,
  SpawnFailed,
} from "./executor.ts";
import { childInNamespace, threadInNamespace } from "./host-pids.ts";
import { type IsolatedRun, runIsolated } from "./isolated.ts";
import { type CommandCgroup, limitError, removeInstanceCgroups, WorkspaceCgroups } from "./limits.ts";
import { type EgressPolicy, ensureNetns, removeNetns, startPasta, stopPasta } from "./network.ts";
import { SANDBOX_ROOT, type WorkspaceDirs, workspaceDirs, workspacePath } from "./paths.ts";
import { PortTable } from "./ports.ts";
import { type ListeningPort, parseListeningSockets } from "../src/sandbox/listening-ports.ts";
import { ProcessTable, toArgv } from "./processes.ts";
import type { TemplateDepsStore } from "./template-deps.ts";

export type Daemon = {
  caps: Capabilities;
  dataDir: string;
  /** Short stable name of this data dir, for host-wide names (cgroups, uids) shared with other sandboxd. */
  instance: string;
  etcDir: string;
  egress: EgressPolicy;
  log: (message: string) => void;
  /** Templates' shared dependency stores; null where workspaces cannot mount them (no root or no disk image). */
  deps: TemplateDepsStore | null;
};

/** What `provideTemplateDependencies` did: mounted the shared store, or why the caller must install instead. */
export type TemplateDepsResult = { provided: true; store: string } | { provided: false; reason: string };

type WorkspaceMeta = { id: string; uid: number | null; createdAt: string; network: boolean; limits: Limits };

export type ExecInput = {
  command: Command;
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  stdin?: string;
  /**
   * A command whose answer carries no exec result to bill (git status, diff): its CPU time joins the background
   * counter, which the platform's cron bills.
   */
  billedLater?: boolean;
};

/** A shell running on a terminal (Workspace.startShell): keys in, window size, output acknowledgements, its end. */
export type Shell = {
  write: (data: Buffer) => void;
  resize: (cols: number, rows: number) => void;
  /** `bytes` of output were passed on: the shell may write that many more (flow control). */
  ack: (bytes: number) => void;
  kill: () => void;
  done: Promise<ExecExit>;
};

export type OutputListener = (stream: "stdout" | "stderr", data: Buffer) => void;

/** Output kept per stream for a non-streaming exec; the rest is dropped and `truncated` is set. */
const MAX_CAPTURE_BYTES = 16 * 1024 * 1024;
/** Host uids of workspaces: 10,000 per sandboxd data dir, in a range chosen by the data dir's name. */
const UID_BASE = 1_600_000;
const UIDS_PER_INSTANCE = 10_000;
/** Projects with shared template dependencies (overlay mounts) per workspace. */
const MAX_DEPS_MOUNTS = 32;
/** Extra time after a command's own timeout before sandboxd gives up on the executor. */
const EXECUTOR_GRACE_MS = 5000;

export class Workspace {
  readonly id: string;
  readonly dirs: WorkspaceDirs;
  readonly #daemon: Daemon;
  #meta: WorkspaceMeta;
  readonly processes: ProcessTable;
  readonly ports: PortTable;
  readonly #cgroups: WorkspaceCgroups;
  #prepared: Promise<void> | null = null;
  #executor: Promise<Executor> | null = null;
  #network: Promise<void> | null = null;
  #destroyed = false;
  /** Each background process's own cgroup, while it runs. */
  readonly #processGroups = new Map<string, CommandCgroup>();
  /** The cgroups of the shells of terminal sessions, while they run (a group is set once the shell is placed). */
  readonly #shells = new Set<{ group: CommandCgroup | null }>();
  readonly #usageFile: string;
  /**
   * CPU time of background processes that have ended (and of commands billed later), and of every command reported
   * with its result (cpuMs), kept in usage.json.
   */
  #usage: UsageCounters;
  #usageTimer: NodeJS.Timeout | null = null;
  /** Dependency mounts of this workspace are made one at a time. */
  #depsQueue: Promise<unknown> = Promise.resolve();

  constructor(daemon: Daemon, meta: WorkspaceMeta) {
    this.#daemon = daemon;
    this.#meta = meta;
    this.id = meta.id;
    this.dirs = workspaceDirs(daemon.dataDir, meta.id);
    this.#cgroups = new WorkspaceCgroups(daemon.caps, daemon.instance, meta.id);
    this.processes = new ProcessTable(this.dirs.processes, this.dirs.logs, (id) => this.#processEnded(id));
    this.#usageFile = path.join(this.dirs.dir, "usage.json");
    this.#usage = readUsage(this.#usageFile);
    this.ports = new PortTable(path.join(this.dirs.dir, "ports.json"));
  }

  info(): WorkspaceInfo {
    const usage = diskUsage(this.dirs);
    return {
      id: this.id,
      createdAt: this.#meta.createdAt,
      network: this.#meta.network,
      limits: this.#meta.limits,
      root: SANDBOX_ROOT,
      disk: usage && { usedBytes: usage.usedBytes, totalBytes: usage.totalBytes },
    };
  }

  /** The uid its commands run as (null where sandboxd cannot switch uids). */
  get uid(): number | null {
    return this.#meta.uid;
  }

  /** Disk, cgroups and network namespace: made once per sandboxd run, reused across restarts when still there. */
  prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      const { caps } = this.#daemon;
      mkdirSync(this.dirs.dir, { recursive: true, mode: 0o711 });
      if (usesDiskImage(caps)) {
        const { diskMiB } = this.#meta.limits;
        const spare = spareImagePath(this.#daemon.dataDir, diskMiB);
        mountDiskImage(this.dirs, diskMiB, spare);
        // The next new workspace of this size finds its image formatted.
        fillSpareImage(spare, diskMiB, this.#daemon.log);
      }
      prepareDiskLayout(this.dirs, usesOwnUid(caps) ? this.#meta.uid : null);
      if (this.#depsMountable()) this.#remountDeps();
      this.#cgroups.apply(this.#meta.limits);
      if (usesNetns(caps)) ensureNetns(caps, this.dirs, this.#daemon.egress);
    })().catch((error) => {
      this.#prepared = null;
      throw error;
    });
    return this.#prepared;
  }

  #depsMountable(): boolean {
    const { caps, deps } = this.#daemon;
    return deps !== null && usesDiskImage(caps) && usesOwnUid(caps);
  }

  /** After a restart: the deps overlays recorded before it come back where their projects are. */
  #remountDeps(): void {
    const deps = this.#daemon.deps!;
    const records = readDepsRecords(this.dirs);
    if (records.length === 0) return;
    const mounted = mountedDeps(this.dirs);
    const kept: DepsMount[] = [];
    for (const record of records) {
      const store = deps.locate(record.template);
      if (mounted.has(record.id)) {
        kept.push({ ...record, path: mounted.get(record.id)! });
        continue;
      }
      if (!store || store.hash !== record.store || !existsSync(store.nodeModules)) continue;
      try {
        mountDeps(this.dirs, this.#meta.uid, record, store.nodeModules);
        kept.push(record);
      } catch (error) {
        this.#daemon.log(`workspace ${this.id}: dependencies of ${record.path} not mounted again: ${(error as Error).message}`);
      }
    }
    writeDepsRecords(this.dirs, kept);
    removeOrphanLayers(this.dirs, kept);
  }

  /**
   * Gives `dir/node_modules` the template's packages from the shared store: an overlay whose writes stay in this
   * workspace. Without root or a disk image it says why, and the caller installs the packages instead.
   */
  provideTemplateDependencies(template: string, dir: string): Promise<TemplateDepsResult> {
    const run = this.#depsQueue.then(async (): Promise<TemplateDepsResult> => {
      const deps = this.#daemon.deps;
      if (!deps || !this.#depsMountable()) {
        return { provided: false, reason: "this sandboxd cannot mount shared dependencies (needs root and disk images)" };
      }
      const located = deps.locate(template);
      if (!located) return { provided: false, reason: `template ${template} has no shared dependency store` };
      const target = workspacePath(`${workspacePath(dir)}/node_modules`);
      const relative = path.posix.relative(SANDBOX_ROOT, target);
      await this.prepare();
      const current = [...mountedDeps(this.dirs)].find(([, at]) => at === relative);
      if (current) return { provided: true, store: located.hash };
      // Made by the workspace user inside the sandbox, so its path is resolved there (symlinks out are refused).
      await this.fileOp("mkdir", { path: target, recursive: true });
      const { entries } = await this.fileOp<{ entries: unknown[] }>("list", { path: target, recursive: false });
      if (entries.length > 0) throw new HttpError(409, "conflict", `${target} is not empty`);
      const records = readDepsRecords(this.dirs);
      if (records.length >= MAX_DEPS_MOUNTS) {
        throw new HttpError(
          409,
          "too_many_dependency_mounts",
          `a workspace has at most ${MAX_DEPS_MOUNTS} projects with shared dependencies; delete one first`,
        );
      }
      const store = await deps.ensure(template);
      const record: DepsMount = { id: newLayerId(), path: relative, store: store.hash, template };
      try {
        mountDeps(this.dirs, this.#meta.uid, record, store.nodeModules);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ELOOP" || code === "ENOTDIR" || code === "ENOENT") {
          throw new HttpError(400, "invalid_path", `${target} must be a directory reached without symlinks`);
        }
        throw error;
      }
      writeDepsRecords(this.dirs, [...records, record]);
      return { provided: true, store: store.hash };
    });
    this.#depsQueue = run.catch(() => {});
    return run;
  }

  /** Before a project is deleted: its deps overlays go (a mount point cannot be removed), and their upper layers. */
  async releaseDependencies(dir: string): Promise<void> {
    if (!this.#depsMountable()) return;
    await this.prepare();
    const relative = path.posix.relative(SANDBOX_ROOT, workspacePath(dir));
    const gone = new Set(unmountDeps(this.dirs, relative));
    if (gone.size === 0) return;
    const kept = readDepsRecords(this.dirs).filter((record) => !gone.has(record.id));
    writeDepsRecords(this.dirs, kept);
    removeOrphanLayers(this.dirs, kept);
  }

  /** Where each deps overlay is now (the user may have moved a project), kept for the next mount, then unmounted. */
  #unmountAllDeps(): void {
    if (!this.#depsMountable()) return;
    const mounted = mountedDeps(this.dirs);
    if (mounted.size === 0) return;
    const records = readDepsRecords(this.dirs).map((record) => ({ ...record, path: mounted.get(record.id) ?? record.path }));
    writeDepsRecords(this.dirs, records);
    unmountDeps(this.dirs);
  }

  #spec(): SandboxSpec {
    return {
      caps: this.#daemon.caps,
      dirs: this.dirs,
      etcDir: this.#daemon.etcDir,
      uid: this.#meta.uid,
      cgroupProcs: this.#cgroups.procsFiles(),
    };
  }

  #ensureNetwork(): Promise<void> {
    if (!this.#meta.network || !usesPasta(this.#daemon.caps)) return Promise.resolve();
    this.#network ??= startPasta(this.#daemon.caps, this.dirs).catch((error) => {
      this.#network = null;
      throw error;
    });
    return this.#network;
  }

  /** The running executor, started on first use and again after it died. */
  async executor(): Promise<Executor> {
    if (this.#destroyed) throw notFound(`workspace ${this.id} was destroyed`, "workspace_not_found");
    const current = this.#executor;
    if (current) {
      const executor = await current.catch(() => null);
      if (executor?.alive) return executor;
      if (this.#executor !== current) return this.executor();
    }
    const starting = (async () => {
      await this.prepare();
      const [executor] = await Promise.all([Executor.start(this.#spec()), this.#ensureNetwork()]);
      executor.exited.then(() => {
        this.#daemon.log(`workspace ${this.id}: executor exited`);
        for (const group of placedGroups(executor).values()) group.remove();
      });
      if (this.#cgroups.canGroupCommands()) executor.enableSpawners((ex, slot, tid) => this.#placeSpawner(ex, slot, tid));
      return executor;
    })();
    this.#executor = starting;
    starting.catch(() => {
      if (this.#executor === starting) this.#executor = null;
    });
    return starting;
  }

  async exec(input: ExecInput, onOutput?: OutputListener, signal?: AbortSignal): Promise<ExecResult> {
    const cwd = workspacePath(input.cwd ?? ".");
    const timeoutMs = input.timeoutMs ?? this.#meta.limits.timeoutMs;
    const executor = await this.executor();
    const before = this.#cgroups.counters();
    const captured = { stdout: [] as Buffer[], stderr: [] as Buffer[], bytes: { stdout: 0, stderr: 0 }, truncated: false };
    // The command's own cgroup: everything it starts stays in it, ends with it, and its CPU time is read from it.
    // Placed ahead of time (the command is forked from a thread already in it), or made now for a held command.
    const command: { group: CommandCgroup | null } = { group: null };
    const hooks = this.#commandHooks(executor, command);
    const started = performance.now();
    const { id, done } = executor.exec(
      {
        argv: toArgv(input.command),
        cwd,
        env: { ...baseEnv, ...input.env },
        timeoutMs,
        stdin: input.stdin && Buffer.from(input.stdin).toString("base64"),
      },
      (stream, data) => {
        if (onOutput) return onOutput(stream, data);
        const room = MAX_CAPTURE_BYTES - captured.bytes[stream];
        if (room < data.length) captured.truncated = true;
        if (room <= 0) return;
        captured[stream].push(room < data.length ? data.subarray(0, room) : data);
        captured.bytes[stream] += Math.min(room, data.length);
      },
      hooks || undefined,
    );
    const abort = () => executor.kill(id);
    signal?.addEventListener("abort", abort);
    // If the executor itself stops answering (e.g. starved by a fork bomb), end it; it restarts on next use.
    const watchdog = setTimeout(() => executor.stop(), timeoutMs + EXECUTOR_GRACE_MS);
    let exit: ExecExit;
    try {
      exit = await done;
    } catch (error) {
      if (error instanceof SpawnFailed) {
        // Like a shell: 127 for a command that does not exist, 126 for one that cannot run.
        const exitCode = error.errno === 2 ? 127 : 126;
        command.group?.remove();
        return { exitCode, stdout: "", stderr: `${error.message}\n`, durationMs: Math.round(performance.now() - started) };
      }
      if (!(error instanceof ExecutorGone)) throw error;
      const elapsed = Math.round(performance.now() - started);
      exit = { exitCode: 137, signal: 9, timedOut: elapsed >= timeoutMs };
      this.#daemon.log(`workspace ${this.id}: executor died during a command: ${error.message}`);
    } finally {
      clearTimeout(watchdog);
      signal?.removeEventListener("abort", abort);
      // Whatever the command left running (setsid, double fork, nohup) ends with it; then its CPU time is final.
      command.group?.killAll();
    }
    const { group } = command;
    // Read before the command's group goes: what it ran into is counted there.
    const after = this.#cgroups.counters();
    const cpuMs = group ? this.#countCommand(group, input.billedLater ?? false) : undefined;
    // Empty now (killed above): removing its directories can wait until the answer is on its way.
    if (group) setImmediate(() => group.remove());
    // Billed time is sandboxd's own clock around the exec: nothing inside the sandbox can shorten it.
    const durationMs = Math.round(performance.now() - started);
    const usage = exit.exitCode !== 0 ? diskUsage(this.dirs) : null;
    const diskFull = usage !== null && usage.freeBytes < Math.max(1 << 20, usage.totalBytes / 500);
    const error = limitError(this.#meta.limits, before, after, { timedOut: exit.timedOut, timeoutMs, diskFull });
    const result: ExecResult = {
      exitCode: exit.exitCode,
      stdout: Buffer.concat(captured.stdout).toString("utf8"),
      stderr: Buffer.concat(captured.stderr).toString("utf8"),
      durationMs,
      ...(cpuMs !== undefined && { cpuMs }),
    };
    if (captured.truncated) result.truncated = true;
    if (error) result.error = error;
    return result;
  }

  /** Hooks that give a command its own cgroup: placed ahead (a spawner thread), or made now for a held command. */
  #commandHooks(executor: Executor, command: { group: CommandCgroup | null }) {
    return (
      this.#cgroups.canGroupCommands() && {
        onStarted: (slot: number) => {
          const groups = placedGroups(executor);
          command.group = groups.get(slot) ?? null;
          groups.delete(slot);
        },
        onSpawned: (nsPid: number) => {
          const held = this.#heldCommand(executor, nsPid);
          if (held === undefined) throw new Error(`the command (pid ${nsPid} in the sandbox) was not found`);
          command.group = this.#newCommandGroup();
          command.group.adopt(held);
        },
        onLingering: () => command.group?.killAll(),
      }
    );
  }

  /**
   * A shell on a pseudo-terminal (bash, TERM=xterm-256color), in a cgroup of its own like a background process: its
   * CPU time joins the background counter, which the platform bills, and it counts as a running process meanwhile.
   */
  async startShell(size: { cols: number; rows: number }, onOutput: (data: Buffer) => void): Promise<Shell> {
    const executor = await this.executor();
    const command: { group: CommandCgroup | null } = { group: null };
    const { id, done } = executor.exec(
      {
        argv: ["/bin/bash", "-i"],
        cwd: SANDBOX_ROOT,
        env: { ...baseEnv, TERM: "xterm-256color", COLORTERM: "truecolor", PS1: "\\w\\$ " },
        timeoutMs: 0,
        pty: size,
      },
      (_stream, data) => onOutput(data),
      this.#commandHooks(executor, command) || undefined,
    );
    this.#shells.add(command);
    const ended = done
      .catch((error): ExecExit => {
        if (error instanceof SpawnFailed) return { exitCode: error.errno === 2 ? 127 : 126, signal: null, timedOut: false };
        if (error instanceof ExecutorGone) return { exitCode: 137, signal: 9, timedOut: false };
        throw error;
      })
      .finally(() => {
        this.#shells.delete(command);
        const { group } = command;
        if (!group) return;
        group.killAll();
        this.#countCommand(group, true);
        setImmediate(() => group.remove());
      });
    return {
      write: (data) => executor.terminalInput(id, data),
      resize: (cols, rows) => executor.terminalResize(id, cols, rows),
      ack: (bytes) => executor.terminalAck(id, bytes),
      kill: () => executor.kill(id),
      done: ended,
    };
  }

  /**
   * The TCP ports something listens on in the workspace's network namespace. Asked of the executor only when the
   * workspace runs (a poll never starts a stopped one); without root each command has its own network: none.
   */
  async listeningPorts(): Promise<ListeningPort[]> {
    if (!usesNetns(this.#daemon.caps) || !this.running) return [];
    const executor = await this.executor();
    const tables = await executor.call<{ tcp: string; tcp6: string }>("listening", {}, 10_000);
    return parseListeningSockets(`${tables.tcp}\n${tables.tcp6}`);
  }

  /** One command in a sandbox of its own (./isolated.ts): the platform's credentialed git calls run this way. */
  async execIsolated(
    run: Omit<IsolatedRun, "cwd" | "timeoutMs"> & { cwd?: string; timeoutMs?: number; billedLater?: boolean },
  ): Promise<ExecResult> {
    if (this.#destroyed) throw notFound(`workspace ${this.id} was destroyed`, "workspace_not_found");
    await this.prepare();
    await this.#ensureNetwork();
    const timeoutMs = run.timeoutMs ?? this.#meta.limits.timeoutMs;
    const group = this.#cgroups.command(`run-${randomBytes(6).toString("hex")}`);
    const spec = { ...this.#spec(), cgroupProcs: this.#cgroups.procsFiles(group ?? undefined) };
    try {
      const result = await runIsolated(spec, { ...run, cwd: workspacePath(run.cwd ?? "."), timeoutMs });
      group?.killAll();
      return group ? { ...result, cpuMs: this.#countCommand(group, run.billedLater ?? false) } : result;
    } finally {
      group?.remove();
    }
  }

  #newCommandGroup(): CommandCgroup {
    const group = this.#cgroups.command(`exec-${randomBytes(6).toString("hex")}`);
    if (!group) throw new Error("command cgroups are not available");
    return group;
  }

  /** Puts a spawner thread of the executor into a fresh command group, for the next exec. */
  #placeSpawner(executor: Executor, slot: number, nsTid: number): boolean {
    const executorPid = this.#executorHostPid(executor);
    const hostTid = executorPid === undefined ? undefined : threadInNamespace(executorPid, nsTid);
    if (executorPid === undefined || hostTid === undefined) return false;
    const group = this.#newCommandGroup();
    group.adoptThread(hostTid, executorPid);
    placedGroups(executor).set(slot, group);
    return true;
  }

  #executorHostPid(executor: Executor): number | undefined {
    let executorPid = executorHostPids.get(executor);
    const bwrap = executor.bwrapPid;
    if (executorPid === undefined && bwrap !== undefined) {
      executorPid = childInNamespace(this.#cgroups.pids(), bwrap, 1);
      if (executorPid !== undefined) executorHostPids.set(executor, executorPid);
    }
    return executorPid;
  }

  /** Host pid of a command the executor holds (its child with that pid in the sandbox), found among the workspace's. */
  #heldCommand(executor: Executor, nsPid: number): number | undefined {
    const executorPid = this.#executorHostPid(executor);
    return executorPid === undefined ? undefined : childInNamespace(this.#cgroups.pids(), executorPid, nsPid);
  }

  async fileOp<T>(op: string, payload: Record<string, unknown>): Promise<T> {
    const executor = await this.executor();
    try {
      return await executor.call<T>(op, payload);
    } catch (error) {
      if (error instanceof ExecutorOpError) throw fileOpError(error.code, error.message);
      if (error instanceof ExecutorGone)
        throw new HttpError(503, "executor_unavailable", `the workspace executor stopped: ${error.message}`);
      throw error;
    }
  }

  /** A TCP connection to `port` on the workspace's own loopback, made by its executor inside its network namespace. */
  async openRelay(port: number, handlers: RelayHandlers): Promise<RelayConnection> {
    const executor = await this.executor();
    try {
      return await executor.openRelay(port, handlers);
    } catch (error) {
      if (error instanceof ExecutorOpError) {
        throw new HttpError(error.code === "port_not_listening" ? 502 : 400, error.code, error.message);
      }
      if (error instanceof ExecutorGone)
        throw new HttpError(503, "executor_unavailable", `the workspace executor stopped: ${error.message}`);
      throw error;
    }
  }

  async startProcess(command: Command, cwd: string | undefined, env: Record<string, string> | undefined): Promise<ProcessInfo> {
    await this.prepare();
    await this.#ensureNetwork();
    return this.processes.start((id) => this.#processSpec(id), command, workspacePath(cwd ?? "."), env ?? {});
  }

  /** A background process's sandbox: its own cgroup (pids and cpuacct) under the workspace's. */
  #processSpec(id: string): SandboxSpec {
    this.#processEnded(id);
    const group = this.#cgroups.command(`proc-${id}`);
    if (group) this.#processGroups.set(id, group);
    return { ...this.#spec(), cgroupProcs: this.#cgroups.procsFiles(group ?? undefined) };
  }

  /** A background process is gone: its CPU time joins the workspace's total and its cgroup is removed. */
  #processEnded(id: string): void {
    const group = this.#processGroups.get(id);
    if (!group) return;
    this.#processGroups.delete(id);
    group.killAll();
    this.#usage.backgroundCpuNs += group.cpuNs();
    this.#saveUsage();
    group.remove();
  }

  /**
   * CPU time all background processes of the workspace have used, ever (a counter that only grows: the platform bills
   * the difference since it last looked), and how many run now.
   */
  usage(): WorkspaceUsage {
    let ns = this.#usage.backgroundCpuNs;
    for (const group of this.#processGroups.values()) ns += group.cpuNs();
    for (const shell of this.#shells) ns += shell.group?.cpuNs() ?? 0;
    return {
      id: this.id,
      backgroundCpuMs: Math.floor(ns / 1e6),
      commandCpuMs: this.#usage.commandCpuMs,
      runningProcesses: this.processes.runningCount() + this.#shells.size,
    };
  }

  /** Saves the counters within a second (not at every command); shutdown and release save them at once. */
  #saveUsageSoon(): void {
    if (this.#usageTimer) return;
    this.#usageTimer = setTimeout(() => this.#saveUsage(), 1000);
    this.#usageTimer.unref();
  }

  #saveUsage(): void {
    if (this.#usageTimer) clearTimeout(this.#usageTimer);
    this.#usageTimer = null;
    writeUsage(this.#usageFile, this.#usage);
  }

  /** A command's CPU time in whole milliseconds, as reported with its result, added to the workspace's count. */
  #countCommand(group: CommandCgroup, billedLater: boolean): number {
    const cpuNs = group.cpuNs();
    const cpuMs = Math.round(cpuNs / 1e6);
    if (billedLater) this.#usage.backgroundCpuNs += cpuNs;
    else this.#usage.commandCpuMs += cpuMs;
    this.#saveUsageSoon();
    return cpuMs;
  }

  async restartProcess(id: string): Promise<ProcessInfo> {
    await this.prepare();
    await this.#ensureNetwork();
    return this.processes.restart((processId) => this.#processSpec(processId), id);
  }

  async setNetwork(enabled: boolean): Promise<WorkspaceInfo> {
    this.#meta = { ...this.#meta, network: enabled };
    saveMeta(this.dirs, this.#meta);
    if (!enabled) {
      const pending = this.#network;
      this.#network = null;
      await pending?.catch(() => {});
      stopPasta(this.dirs);
    } else if (this.#prepared) {
      await this.prepare();
      await this.#ensureNetwork();
    }
    return this.info();
  }

  /** Whether anything of the workspace runs: its executor, its network (pasta) or a background process. */
  get running(): boolean {
    return this.#executor !== null || this.#network !== null || this.processes.list().some((p) => p.status === "running");
  }

  /** Ends everything the workspace runs; files stay. Used at sandboxd shutdown, on idle and by `POST .../stop`. */
  async shutdown(reason: string): Promise<void> {
    await this.processes.stopAll(reason);
    if (this.#usageTimer) this.#saveUsage();
    const executor = await this.#executor?.catch(() => null);
    await executor?.stop();
    this.#executor = null;
    this.#cgroups.killAll();
    stopPasta(this.dirs);
    this.#network = null;
  }

  async destroy(): Promise<void> {
    this.#destroyed = true;
    await this.shutdown("workspace destroyed");
    const { caps } = this.#daemon;
    if (usesNetns(caps)) removeNetns(this.dirs);
    this.#cgroups.remove();
    if (this.#depsMountable()) unmountDeps(this.dirs);
    if (usesDiskImage(caps)) unmountDiskImage(this.dirs);
    rmSync(this.dirs.dir, { recursive: true, force: true });
  }

  /** After a crash of sandboxd: end whatever a previous run left (pasta, processes in the cgroups). */
  recover(): void {
    stopPasta(this.dirs);
    this.#cgroups.killAll();
    this.#cgroups.removeCommandGroups();
  }

  /** Releases mounts at sandboxd shutdown so nothing stays behind; the next run mounts again. */
  release(): void {
    const { caps } = this.#daemon;
    if (usesNetns(caps)) removeNetns(this.dirs);
    this.#cgroups.remove();
    this.#unmountAllDeps();
    if (usesDiskImage(caps)) unmountDiskImage(this.dirs);
    this.#prepared = null;
  }
}

/** Each executor's command groups placed ahead (a spawner thread in each), by slot, not yet taken by an exec. */
const placedGroupsOf = new WeakMap<Executor, Map<number, CommandCgroup>>();
function placedGroups(executor: Executor): Map<number, CommandCgroup> {
  let groups = placedGroupsOf.get(executor);
  if (!groups) placedGroupsOf.set(executor, (groups = new Map()));
  return groups;
}

/** The host pid of each executor (its sandbox's PID 1), found once. */
const executorHostPids = new WeakMap<Executor, number>();

type UsageCounters = { backgroundCpuNs: number; commandCpuMs: number };

function readUsage(file: string): UsageCounters {
  try {
    const saved = JSON.parse(readFileSync(file, "utf8")) as Partial<UsageCounters>;
    return {
      backgroundCpuNs: Number(saved.backgroundCpuNs) || 0,
      commandCpuMs: Number(saved.commandCpuMs) || 0,
    };
  } catch {
    return { backgroundCpuNs: 0, commandCpuMs: 0 };
  }
}

function writeUsage(file: string, usage: UsageCounters): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(usage), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

function saveMeta(dirs: WorkspaceDirs, meta: WorkspaceMeta): void {
  const temp = `${dirs.meta}.tmp`;
  writeFileSync(temp, JSON.stringify(meta, null, 1), { mode: 0o600 });
  renameSync(temp, dirs.meta);
}

/** All workspaces of this data dir; each is loaded from its workspace.json on first use after a restart. */
export class WorkspaceStore {
  readonly #daemon: Daemon;
  readonly #workspaces = new Map<string, Workspace>();
  readonly #creating = new Map<string, Promise<Workspace>>();
  /** Destroys under way: a workspace created again under the same id waits for its old self's clean-up to finish. */
  readonly #destroying = new Map<string, { uid: number | null; done: Promise<void> }>();

  constructor(daemon: Daemon) {
    this.#daemon = daemon;
    const root = path.join(daemon.dataDir, "workspaces");
    mkdirSync(root, { recursive: true, mode: 0o711 });
    chmodSync(daemon.dataDir, 0o711);
    chmodSync(root, 0o711);
    for (const id of readdirSync(root)) {
      const metaFile = workspaceDirs(daemon.dataDir, id).meta;
      if (!existsSync(metaFile)) continue;
      const workspace = new Workspace(daemon, JSON.parse(readFileSync(metaFile, "utf8")) as WorkspaceMeta);
      workspace.processes.markInterrupted("sandboxd restarted while it was running");
      workspace.recover();
      this.#workspaces.set(id, workspace);
    }
  }

  /** Every workspace of this data dir (loaded at start). */
  all(): Workspace[] {
    return [...this.#workspaces.values()];
  }

  get(id: string): Workspace {
    const workspace = this.#workspaces.get(id);
    if (!workspace) throw notFound(`no workspace with id ${id}`, "workspace_not_found");
    return workspace;
  }

  getOrCreate(id: string, options: WorkspaceOptions): Promise<Workspace> {
    const existing = this.#workspaces.get(id);
    if (existing) return existing.prepare().then(() => existing);
    const pending = this.#creating.get(id);
    if (pending) return pending;
    const creating = (async () => {
      await this.#destroying.get(id)?.done.catch(() => {});
      const meta: WorkspaceMeta = {
        id,
        uid: usesOwnUid(this.#daemon.caps) ? this.#freeUid() : null,
        createdAt: new Date().toISOString(),
        network: options.network ?? true,
        limits: { ...defaultLimits, ...options.limits },
      };
      const workspace = new Workspace(this.#daemon, meta);
      mkdirSync(workspace.dirs.dir, { recursive: true, mode: 0o711 });
      saveMeta(workspace.dirs, meta);
      this.#workspaces.set(id, workspace);
      try {
        await workspace.prepare();
      } catch (error) {
        this.#workspaces.delete(id);
        await workspace.destroy().catch(() => {});
        throw error;
      }
      return workspace;
    })().finally(() => this.#creating.delete(id));
    this.#creating.set(id, creating);
    return creating;
  }

  #freeUid(): number {
    const used = new Set<number>();
    // A workspace being destroyed may still have processes running as its uid.
    for (const { uid } of [...this.#workspaces.values(), ...this.#destroying.values()]) if (uid !== null) used.add(uid);
    let uid = UID_BASE + (Number.parseInt(this.#daemon.instance.slice(0, 6), 16) % 1000) * UIDS_PER_INSTANCE;
    while (used.has(uid)) uid++;
    return uid;
  }

  async destroy(id: string): Promise<boolean> {
    await this.#creating.get(id)?.catch(() => {});
    const workspace = this.#workspaces.get(id);
    if (!workspace) return false;
    this.#workspaces.delete(id);
    const done = workspace.destroy().finally(() => this.#destroying.delete(id));
    this.#destroying.set(id, { uid: workspace.uid, done });
    await done;
    return true;
  }

  async shutdown(): Promise<void> {
    await Promise.all(
      [...this.#workspaces.values()].map(async (workspace) => {
        await workspace.shutdown("sandboxd stopped while it was running");
        workspace.release();
      }),
    );
    removeInstanceCgroups(this.#daemon.caps, this.#daemon.instance);
  }
}
