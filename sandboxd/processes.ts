import { spawn, type ChildProcess, type StdioOptions } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  watch,
  writeFileSync,
} from "node:fs";
import { open } from "node:fs/promises";
import path from "node:path";
import type { Command, ProcessInfo } from "../src/sandbox/types.ts";
import { openSeccompFilter, sandboxCommand, type SandboxSpec } from "./bwrap.ts";
import { notFound } from "./errors.ts";

type ProcessRecord = ProcessInfo & { env: Record<string, string> };

type Running = { child: ChildProcess; namespacePid: number | null; stopping: boolean; exited: Promise<void> };

export const toArgv = (command: Command): string[] => (typeof command === "string" ? ["/bin/bash", "-c", command] : command);

/**
 * Background processes of one workspace. Each runs in its own bubblewrap instance (own PID namespace) so that
 * stopping it kills the namespace's init and with it the whole tree, and so that it survives executor crashes.
 */
export class ProcessTable {
  readonly #file: string;
  readonly #logsDir: string;
  readonly #records = new Map<string, ProcessRecord>();
  readonly #running = new Map<string, Running>();
  readonly #onExit: (id: string) => void;

  /** `onExit` runs once a process is gone (its cgroup's CPU time is then final). */
  constructor(file: string, logsDir: string, onExit: (id: string) => void = () => {}) {
    this.#file = file;
    this.#logsDir = logsDir;
    this.#onExit = onExit;
    if (existsSync(file)) {
      for (const record of JSON.parse(readFileSync(file, "utf8")) as ProcessRecord[]) {
        this.#records.set(record.id, record);
      }
    }
  }

  /** Called when sandboxd starts: nothing can still be running, so say why instead of dropping it. */
  markInterrupted(reason: string): void {
    let changed = false;
    for (const record of this.#records.values()) {
      if (record.status !== "running") continue;
      Object.assign(record, { status: "exited", exitedAt: new Date().toISOString(), exitCode: null, reason });
      changed = true;
    }
    if (changed) this.#save();
  }

  list(): ProcessInfo[] {
    return [...this.#records.values()].map(publicInfo);
  }

  get(id: string): ProcessInfo {
    return publicInfo(this.#record(id));
  }

  logPath(id: string): string {
    this.#record(id);
    return path.join(this.#logsDir, `${id}.log`);
  }

  /** `specFor` gives the sandbox of one process by its id (its own cgroup among others). */
  start(specFor: (id: string) => SandboxSpec, command: Command, cwd: string, env: Record<string, string>): ProcessInfo {
    const id = `proc_${randomBytes(6).toString("hex")}`;
    const record: ProcessRecord = {
      id,
      command,
      cwd,
      env,
      status: "running",
      startedAt: "",
      exitedAt: null,
      exitCode: null,
      reason: null,
    };
    this.#records.set(id, record);
    this.#launch(specFor(id), record);
    return publicInfo(record);
  }

  restart(specFor: (id: string) => SandboxSpec, id: string): ProcessInfo {
    const record = this.#record(id);
    if (this.#running.has(id)) return publicInfo(record);
    this.#launch(specFor(id), record);
    return publicInfo(record);
  }

  #launch(spec: SandboxSpec, record: ProcessRecord): void {
    const logFile = path.join(this.#logsDir, `${record.id}.log`);
    const logFd = openSync(logFile, "w", 0o600);
    const filter = openSeccompFilter(spec.caps);
    const run = sandboxCommand({ ...spec, jsonStatusFd: 3 }, toArgv(record.command), {
      cwd: record.cwd,
      envFd: 4,
      seccompFd: filter === null ? undefined : 5,
    });
    let child: ChildProcess;
    try {
      const stdio: StdioOptions = ["ignore", logFd, logFd, "pipe", "pipe", ...(filter === null ? [] : [filter])];
      child = spawn(run.file, run.args, { env: run.env, stdio, detached: true });
    } finally {
      closeSync(logFd);
      if (filter !== null) closeSync(filter);
    }
    const envPipe = child.stdio[4] as NodeJS.WritableStream;
    envPipe.on("error", () => {});
    envPipe.end(
      Object.entries(record.env)
        .map(([key, value]) => `${key}=${value}\0`)
        .join(""),
    );
    Object.assign(record, { status: "running", startedAt: new Date().toISOString(), exitedAt: null, exitCode: null, reason: null });
    const running: Running = { child, namespacePid: null, stopping: false, exited: Promise.resolve() };
    const status = child.stdio[3] as NodeJS.ReadableStream;
    let statusText = "";
    status.setEncoding("utf8");
    status.on("data", (chunk: string) => {
      statusText += chunk;
      const match = /"child-pid"\s*:\s*(\d+)/.exec(statusText);
      if (match) running.namespacePid = Number(match[1]);
    });
    running.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        this.#running.delete(record.id);
        const exitMatch = /"exit-code"\s*:\s*(\d+)/.exec(statusText);
        const exitCode = exitMatch ? Number(exitMatch[1]) : code;
        Object.assign(record, {
          status: "exited",
          exitedAt: new Date().toISOString(),
          exitCode: running.stopping ? null : exitCode,
          reason: running.stopping
            ? "stopped"
            : signal
              ? `killed by ${signal}`
              : exitCode === 0
                ? "exited"
                : `exited with code ${exitCode}`,
        });
        this.#save();
        this.#onExit(record.id);
        resolve();
      });
      child.on("error", (error) => {
        this.#running.delete(record.id);
        Object.assign(record, { status: "exited", exitedAt: new Date().toISOString(), reason: `could not start: ${error.message}` });
        this.#save();
        this.#onExit(record.id);
        resolve();
      });
    });
    this.#running.set(record.id, running);
    this.#save();
  }

  /** Kills the process's PID namespace (and so every descendant), then waits until it is gone. */
  async stop(id: string, reason = "stopped"): Promise<ProcessInfo> {
    const record = this.#record(id);
    const running = this.#running.get(id);
    if (running) {
      running.stopping = true;
      const outer = running.child.pid;
      // The namespace's init dies first, taking the whole tree with it; the parent check rules out a reused pid.
      const inner = running.namespacePid;
      for (const pid of [inner !== null && outer !== undefined && parentOf(inner) === outer ? inner : null, outer]) {
        if (!pid) continue;
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      await running.exited;
      if (reason !== "stopped") {
        Object.assign(record, { reason });
        // The process's own log says why it ended, for whoever reads it next.
        appendLogLine(path.join(this.#logsDir, `${id}.log`), `[netM8] ${reason}`);
      }
      this.#save();
    }
    return publicInfo(record);
  }

  runningCount(): number {
    return this.#running.size;
  }

  async stopAll(reason: string): Promise<void> {
    await Promise.all([...this.#running.keys()].map((id) => this.stop(id, reason)));
  }

  /** Streams the log from the start; with follow, keeps going until the process has exited and all is read. */
  async *logs(id: string, follow: boolean, signal?: AbortSignal): AsyncGenerator<Buffer> {
    const file = this.logPath(id);
    if (!existsSync(file)) return;
    const handle = await open(file, "r");
    try {
      let offset = 0;
      const buffer = Buffer.alloc(64 * 1024);
      while (!signal?.aborted) {
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, offset);
        if (bytesRead > 0) {
          offset += bytesRead;
          yield Buffer.from(buffer.subarray(0, bytesRead));
          continue;
        }
        // A restart of the process starts its log afresh.
        if (statSync(file).size < offset) offset = 0;
        const running = this.#running.get(id);
        if (!follow || !running) {
          if (statSync(file).size <= offset) return;
          continue;
        }
        await waitForChange(file, running.exited, signal);
      }
    } finally {
      await handle.close();
    }
  }

  #record(id: string): ProcessRecord {
    const record = this.#records.get(id);
    if (!record) throw notFound(`no process with id ${id}`, "process_not_found");
    return record;
  }

  #save(): void {
    const temp = `${this.#file}.tmp`;
    writeFileSync(temp, JSON.stringify([...this.#records.values()], null, 1), { mode: 0o600 });
    renameSync(temp, this.#file);
  }
}

/** Appends a line to a log, on a line of its own even when the output before it did not end one. */
function appendLogLine(file: string, line: string): void {
  try {
    const size = existsSync(file) ? statSync(file).size : 0;
    let ended = true;
    if (size > 0) {
      const fd = openSync(file, "r");
      const last = Buffer.alloc(1);
      readSync(fd, last, 0, 1, size - 1);
      closeSync(fd);
      ended = last[0] === 0x0a;
    }
    appendFileSync(file, `${ended ? "" : "\n"}${line}\n`);
  } catch {}
}

function parentOf(pid: number): number | null {
  try {
    return Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) || null;
  } catch {
    return null;
  }
}

function publicInfo(record: ProcessRecord): ProcessInfo {
  const { env: _env, ...info } = record;
  return { ...info };
}

// fs.watch may miss events on some filesystems, so a short timer backs it up.
function waitForChange(file: string, exited: Promise<void>, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const watcher = watch(file, () => finish());
    const timer = setTimeout(() => finish(), 250);
    const finish = () => {
      watcher.close();
      clearTimeout(timer);
      signal?.removeEventListener("abort", finish);
      resolve();
    };
    signal?.addEventListener("abort", finish);
    exited.then(finish);
  });
}
