import { spawn, type StdioOptions } from "node:child_process";
import { closeSync } from "node:fs";
import type { ExecResult } from "../src/sandbox/types.ts";
import { baseEnv, openSeccompFilter, type SandboxSpec, sandboxCommand } from "./bwrap.ts";

/** Output kept per stream; git's own output is small, anything past this is dropped and `truncated` is set. */
const MAX_CAPTURE_BYTES = 1024 * 1024;

export type IsolatedRun = {
  argv: string[];
  cwd: string;
  /** Reaches the command through a pipe bubblewrap reads, so it is in no argv and in no other process's view. */
  env: Record<string, string>;
  timeoutMs: number;
  /** Files laid read-only over paths of the sandbox for this run only: sandbox path → content. */
  files?: Record<string, string>;
  /** Host directories bound writable at sandbox paths for this run only: the checkpoint store (./checkpoints.ts). */
  binds?: { source: string; target: string }[];
};

/**
 * Runs one command in a bubblewrap instance of its own: the workspace's files, cgroups, uid and network, but its own
 * PID namespace, so no other process of the workspace can see it, read its environment or memory, or take its fds.
 * The platform's credentialed git calls run this way. Duration and exit status are sandboxd's own observations.
 */
export function runIsolated(spec: SandboxSpec, run: IsolatedRun): Promise<ExecResult> {
  const filter = openSeccompFilter(spec.caps);
  const files = Object.entries(run.files ?? {});
  // fds: 3 the environment, then each file's content, then the seccomp filter.
  const fileFds = files.map((_, index) => 4 + index);
  const seccompFd = filter === null ? undefined : 4 + files.length;
  const command = sandboxCommand(spec, run.argv, {
    cwd: run.cwd,
    envFd: 3,
    seccompFd,
    dataBinds: files.map(([target], index) => ({ fd: fileFds[index]!, target })),
    binds: run.binds,
  });
  const started = performance.now();
  const stdio: StdioOptions = ["ignore", "pipe", "pipe", "pipe", ...files.map(() => "pipe" as const), ...(filter === null ? [] : [filter])];
  let child: ReturnType<typeof spawn>;
  try {
    child = spawn(command.file, command.args, { env: command.env, stdio, detached: true });
  } finally {
    if (filter !== null) closeSync(filter);
  }
  const write = (fd: number, text: string) => {
    const pipe = child.stdio[fd] as NodeJS.WritableStream;
    pipe.on("error", () => {});
    pipe.end(text);
  };
  write(
    3,
    Object.entries({ ...baseEnv, ...run.env })
      .map(([key, value]) => `${key}=${value}\0`)
      .join(""),
  );
  for (const [index, [, content]] of files.entries()) write(fileFds[index]!, content);

  const captured = { stdout: [] as Buffer[], stderr: [] as Buffer[], bytes: { stdout: 0, stderr: 0 }, truncated: false };
  for (const stream of ["stdout", "stderr"] as const) {
    child[stream]!.on("data", (data: Buffer) => {
      const room = MAX_CAPTURE_BYTES - captured.bytes[stream];
      if (room < data.length) captured.truncated = true;
      if (room <= 0) return;
      captured[stream].push(room < data.length ? data.subarray(0, room) : data);
      captured.bytes[stream] += Math.min(room, data.length);
    });
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    // bubblewrap leads its own process group; its namespace's init dies with it (--die-with-parent), and all inside.
    if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
  }, run.timeoutMs);
  return new Promise((resolve, reject) => {
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const result: ExecResult = {
        exitCode: code ?? (signal ? 128 + 9 : 1),
        stdout: Buffer.concat(captured.stdout).toString("utf8"),
        stderr: Buffer.concat(captured.stderr).toString("utf8"),
        durationMs: Math.round(performance.now() - started),
      };
      if (captured.truncated) result.truncated = true;
      if (timedOut)
        result.error = { code: "timeout_exceeded", limit: "timeout", message: `stopped after ${run.timeoutMs} ms (the time limit)` };
      resolve(result);
    });
  });
}
