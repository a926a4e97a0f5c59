import { type ChildProcessWithoutNullStreams, spawn, type StdioOptions } from "node:child_process";
import { closeSync } from "node:fs";
import { EXECUTOR_PATH, openSeccompFilter, sandboxCommand, type SandboxSpec } from "./bwrap.ts";
import { HttpError } from "./errors.ts";

export type ExecRequest = {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number;
  stdin?: string;
  /** Runs the command on a pseudo-terminal of this size (stdin, stdout and stderr); its output arrives as stdout. */
  pty?: { cols: number; rows: number };
};

/** How a command ended, as the executor reports it; its duration is measured by sandboxd, never taken from here. */
export type ExecExit = { exitCode: number; signal: number | null; timedOut: boolean };

type ExecHandlers = {
  onOutput: (stream: "stdout" | "stderr", data: Buffer) => void;
  /** The command's process exists (pid in the sandbox) and waits: it runs once this returns. */
  onSpawned?: (pid: number) => void;
  /** The command ended but something it detached still holds its output: end everything it started. */
  onLingering?: () => void;
  /** The command was forked from a spawner thread placed for `slot`, so it started in that slot's cgroup. */
  onStarted?: (slot: number) => void;
  resolve: (exit: ExecExit) => void;
  reject: (error: Error) => void;
};

type CallHandlers = { resolve: (value: unknown) => void; reject: (error: Error) => void; exec?: undefined };

/**
 * Receives the bytes a relay connection's server sends, then its end (also when the executor goes away), and how
 * many bytes written to it the server has taken.
 */
export type RelayHandlers = { onData: (data: Buffer) => void; onEnd: () => void; onSent?: (bytes: number) => void };

/**
 * One TCP connection from sandboxd to a port inside the workspace, carried over the executor's pipes. The executor
 * sends at most RELAY_WINDOW bytes of the server's answer ahead of `ack`; writes are acknowledged through onSent.
 */
export type RelayConnection = {
  write: (data: Buffer) => void;
  /** `bytes` of the server's answer were passed on: the executor may read that many more. */
  ack: (bytes: number) => void;
  /** Half-closes: the server reads end of file. */
  end: () => void;
  close: () => void;
};

/** How far the executor reads a relay's server ahead of sandboxd's acknowledgements (executor.py RELAY_WINDOW). */
export const RELAY_WINDOW = 256 * 1024;

/** Longest line accepted from the executor: a largest file read, base64-encoded, plus its JSON envelope. */
const MAX_LINE_CHARS = 48 * 1024 * 1024;

export class ExecutorGone extends Error {}

/** The command could not be started (not found, not executable, no resources); errno says why. */
export class SpawnFailed extends Error {
  readonly errno: number;
  constructor(errno: number, message: string) {
    super(message);
    this.errno = errno;
  }
}

/** Raised by a file operation that the executor refused; `code` is one of executor.py's codes. */
export class ExecutorOpError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * The host side of the long-lived executor (executor.py) in a workspace's sandbox: one bubblewrap start, then
 * every command and file operation is a JSON line over its stdin and stdout.
 */
/** Puts a thread of the executor (its id in the sandbox) into a fresh cgroup for `slot`; whether it did. */
export type PlaceSpawner = (executor: Executor, slot: number, tid: number) => boolean;

export class Executor {
  readonly #child: ChildProcessWithoutNullStreams;
  #placeSpawner: PlaceSpawner | undefined;
  readonly #pending = new Map<string, ExecHandlers | CallHandlers>();
  readonly #relays = new Map<string, RelayHandlers>();
  #nextId = 1;
  #alive = true;
  #stderr = "";
  readonly exited: Promise<void>;

  private constructor(child: ChildProcessWithoutNullStreams, onReady: (error?: Error) => void) {
    this.#child = child;
    let buffered = "";
    let ready = false;
    child.stdout.setEncoding("utf8");
    // The executor runs as the sandbox user, so its output is untrusted: anything malformed ends it.
    const violation = (reason: string) => {
      this.#stderr = `protocol violation: ${reason}`;
      child.kill("SIGKILL");
    };
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      if (buffered.length > MAX_LINE_CHARS) return violation("line too long");
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (!line) continue;
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(line) as Record<string, unknown>;
        } catch {
          return violation("not JSON");
        }
        if (typeof message !== "object" || message === null) return violation("not an object");
        if (message.type === "ready") {
          ready = true;
          onReady();
        } else {
          try {
            this.#dispatch(message);
          } catch {
            return violation("malformed message");
          }
        }
      }
    });
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-4000);
    });
    child.stdin.on("error", () => {});
    this.exited = new Promise((resolve) => {
      child.on("exit", (code, signal) => {
        this.#alive = false;
        const reason = `executor exited (${signal ? `signal ${signal}` : `code ${code}`})${this.#stderr ? `: ${this.#stderr.trim()}` : ""}`;
        if (!ready) onReady(new Error(`the sandbox did not start: ${reason}`));
        for (const handlers of this.#pending.values()) handlers.reject(new ExecutorGone(reason));
        this.#pending.clear();
        for (const relay of this.#relays.values()) relay.onEnd();
        this.#relays.clear();
        resolve();
      });
    });
  }

  static start(spec: SandboxSpec): Promise<Executor> {
    const filter = openSeccompFilter(spec.caps);
    const command = sandboxCommand({ ...spec, asPid1: true }, ["/usr/bin/python3", "-I", "-S", EXECUTOR_PATH], {
      seccompFd: filter === null ? undefined : 3,
    });
    let child: ChildProcessWithoutNullStreams;
    try {
      // Own process group: a signal to sandboxd's group (Ctrl-C) must not kill sandboxes before sandboxd ends them.
      const stdio: StdioOptions = ["pipe", "pipe", "pipe", ...(filter === null ? [] : [filter])];
      child = spawn(command.file, command.args, { env: command.env, stdio, detached: true }) as ChildProcessWithoutNullStreams;
    } finally {
      if (filter !== null) closeSync(filter);
    }
    return new Promise((resolve, reject) => {
      const executor: Executor = new Executor(child, (error) => (error ? reject(error) : resolve(executor)));
      child.on("error", reject);
    });
  }

  /** The host pid of bubblewrap, whose child is the executor (PID 1 of the sandbox). */
  get bwrapPid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * Lets the executor keep a spawner thread that sandboxd places in a fresh cgroup ahead of the next command, so a
   * command starts in its cgroup without waiting for a move.
   */
  enableSpawners(place: PlaceSpawner): void {
    this.#placeSpawner = place;
    if (this.#alive) this.#send({ op: "spawner", enable: true });
  }

  get alive(): boolean {
    return this.#alive;
  }

  #send(message: Record<string, unknown>): void {
    if (!this.#alive) throw new ExecutorGone("executor is not running");
    this.#child.stdin.write(`${JSON.stringify(message)}\n`);
  }

  #dispatch(message: Record<string, unknown>): void {
    if (message.type === "spawner") {
      const { slot, tid } = message;
      if (typeof slot !== "number" || !Number.isSafeInteger(slot) || typeof tid !== "number" || !Number.isSafeInteger(tid) || tid < 1)
        throw new Error("malformed spawner");
      let ok = false;
      try {
        ok = this.#placeSpawner?.(this, slot, tid) ?? false;
      } catch (error) {
        this.#stderr = `spawner ${slot} not placed: ${(error as Error).message}`;
      }
      this.#send({ op: "spawner", slot, ok });
      return;
    }
    const id = message.id as string;
    if (message.type === "relay_data" || message.type === "relay_end" || message.type === "relay_sent") {
      const relay = this.#relays.get(id);
      if (!relay) return;
      if (message.type === "relay_end") {
        this.#relays.delete(id);
        relay.onEnd();
      } else if (message.type === "relay_sent") {
        const bytes = message.bytes;
        if (typeof bytes !== "number" || !Number.isSafeInteger(bytes) || bytes < 0) throw new Error("malformed relay_sent");
        relay.onSent?.(bytes);
      } else relay.onData(Buffer.from(message.data as string, "base64"));
      return;
    }
    const handlers = this.#pending.get(id);
    if (!handlers) return;
    switch (message.type) {
      case "stdout":
      case "stderr":
        if ("onOutput" in handlers) handlers.onOutput(message.type, Buffer.from(message.data as string, "base64"));
        return;
      case "spawned": {
        const pid = message.pid;
        if (typeof pid !== "number" || !Number.isSafeInteger(pid) || pid < 2) throw new Error("malformed spawned");
        try {
          (handlers as ExecHandlers).onSpawned?.(pid);
        } catch (error) {
          // A command that could not be put in its cgroup is not let run untracked: it is ended before it starts.
          this.#stderr = `command ${id} not started: ${(error as Error).message}`;
          this.#send({ id: String(this.#nextId++), op: "kill", target: id });
        }
        this.#send({ op: "release", target: id });
        return;
      }
      case "lingering":
        (handlers as ExecHandlers).onLingering?.();
        return;
      case "started": {
        const slot = message.slot;
        if (typeof slot !== "number" || !Number.isSafeInteger(slot)) throw new Error("malformed started");
        (handlers as ExecHandlers).onStarted?.(slot);
        return;
      }
      case "exit":
        this.#pending.delete(id);
        (handlers as ExecHandlers).resolve(message as unknown as ExecExit);
        return;
      case "spawn_error":
        this.#pending.delete(id);
        if (message.code === "cwd_not_found") handlers.reject(new HttpError(400, "cwd_not_found", String(message.message)));
        else handlers.reject(new SpawnFailed(Number(message.errno), String(message.message)));
        return;
      case "result":
        this.#pending.delete(id);
        (handlers as CallHandlers).resolve(message.value);
        return;
      case "error":
        this.#pending.delete(id);
        handlers.reject(new ExecutorOpError(String(message.code), String(message.message)));
    }
  }

  /**
   * Runs a command; output arrives through onOutput while it runs. With onSpawned, the command's process is held
   * until onSpawned has returned (to put it in a cgroup of its own). Returns the id usable with kill().
   */
  exec(
    request: ExecRequest,
    onOutput: ExecHandlers["onOutput"],
    group?: Pick<ExecHandlers, "onSpawned" | "onLingering" | "onStarted">,
  ): { id: string; done: Promise<ExecExit> } {
    const id = String(this.#nextId++);
    const done = new Promise<ExecExit>((resolve, reject) => {
      this.#pending.set(id, { onOutput, ...group, resolve, reject });
    });
    try {
      this.#send({ id, op: "exec", ...request, ...(group?.onSpawned && { hold: true }) });
    } catch (error) {
      this.#pending.get(id)?.reject(error as Error);
      this.#pending.delete(id);
    }
    return { id, done };
  }

  /** Keys typed into a terminal command (see ExecRequest.pty). */
  terminalInput(execId: string, data: Buffer): void {
    if (this.#alive) this.#send({ op: "pty_input", target: execId, data: data.toString("base64") });
  }

  terminalResize(execId: string, cols: number, rows: number): void {
    if (this.#alive) this.#send({ op: "pty_resize", target: execId, cols, rows });
  }

  /** `bytes` of a terminal's output were passed on: the executor may read that many more (executor.py TERMINAL_WINDOW). */
  terminalAck(execId: string, bytes: number): void {
    if (this.#alive) this.#send({ op: "pty_ack", target: execId, bytes });
  }

  kill(execId: string): void {
    if (this.#alive) this.call("kill", { target: execId }).catch(() => {});
  }

  /** A file operation or control call; one that does not answer within timeoutMs is given up on. */
  call<T>(op: string, payload: Record<string, unknown>, timeoutMs = 60_000): Promise<T> {
    const id = String(this.#nextId++);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new HttpError(504, "executor_timeout", `the workspace did not answer ${op} within ${timeoutMs} ms`));
      }, timeoutMs);
      const settle =
        <A>(fn: (arg: A) => void) =>
        (arg: A) => {
          clearTimeout(timer);
          fn(arg);
        };
      this.#pending.set(id, { resolve: settle(resolve as (value: unknown) => void), reject: settle(reject) });
      try {
        this.#send({ id, op, ...payload });
      } catch (error) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(error as Error);
      }
    });
  }

  /**
   * Connects to `port` on the workspace's loopback (IPv4, then IPv6). Handlers are registered before the request
   * is sent, since the server's first bytes can follow the executor's answer in the same read.
   */
  async openRelay(port: number, handlers: RelayHandlers, timeoutMs = 15_000): Promise<RelayConnection> {
    const id = String(this.#nextId);
    this.#relays.set(id, handlers);
    try {
      await this.call("relay_open", { port }, timeoutMs);
    } catch (error) {
      this.#relays.delete(id);
      throw error;
    }
    const send = (op: string, payload: Record<string, unknown> = {}) => {
      if (this.#alive) this.#send({ op, conn: id, ...payload });
    };
    return {
      write: (data) => send("relay_send", { data: data.toString("base64") }),
      ack: (bytes) => send("relay_ack", { bytes }),
      end: () => send("relay_shutdown"),
      close: () => {
        if (this.#relays.delete(id)) send("relay_close");
      },
    };
  }

  /** Ends the executor and, through bubblewrap's PID namespace, every command it started. */
  async stop(): Promise<void> {
    if (this.#alive) this.#child.kill("SIGKILL");
    await this.exited;
  }
}
