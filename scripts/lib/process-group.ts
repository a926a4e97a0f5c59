import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

export interface GroupProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or null when killed by a signal) once the group leader exits. */
  exited: Promise<number | null>;
  /** SIGTERM to the whole process group, then SIGKILL if it has not exited within the grace period. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to the whole process group at once (used to simulate a crash). */
  kill(): Promise<void>;
}

/** Groups started by this module (this test file's, under vitest) and not stopped through it yet. */
const running = new Set<GroupProcess>();

/**
 * Stops every group this module started that still runs. A test file's clean-up calls it last, so a Worker whose
 * start outlived its hook's timeout (and so never reached the file's own afterAll) is stopped all the same.
 */
export async function stopRunningGroups(): Promise<number> {
  const left = [...running];
  await Promise.all(left.map((group) => group.stop()));
  return left.length;
}

/**
 * Starts a command as the leader of its own process group, so that it and every child it spawns (wrangler's
 * workerd processes, for example) can be stopped together by group id, never by name.
 */
export function spawnGroup(command: string, args: string[], options: SpawnOptions = {}): GroupProcess {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options, detached: true });
  if (child.pid === undefined) throw new Error(`Could not start ${command}`);
  const pid = child.pid;
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(-1));
  });
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-pid, signal);
    } catch {
      // The group is already gone.
    }
  };
  const waitForGroup = async (deadline: number) => {
    while (Date.now() < deadline) {
      try {
        process.kill(-pid, 0);
      } catch {
        return true;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    return false;
  };
  const group: GroupProcess = {
    child,
    pid,
    exited,
    async stop(graceMs = 5000) {
      signalGroup("SIGTERM");
      if (!(await waitForGroup(Date.now() + graceMs))) signalGroup("SIGKILL");
      await waitForGroup(Date.now() + 5000);
      await exited;
      running.delete(group);
    },
    async kill() {
      signalGroup("SIGKILL");
      await waitForGroup(Date.now() + 5000);
      await exited;
      running.delete(group);
    },
  };
  running.add(group);
  return group;
}

/** Keeps the last lines a process printed, to show them when it dies. */
export class LogTail {
  #lines: string[] = [];
  #partial = "";
  readonly #max: number;

  constructor(max = 40) {
    this.#max = max;
  }

  push(chunk: string): string[] {
    const text = this.#partial + chunk;
    const lines = text.split("\n");
    this.#partial = lines.pop() ?? "";
    this.#lines.push(...lines);
    if (this.#lines.length > this.#max) this.#lines.splice(0, this.#lines.length - this.#max);
    return lines;
  }

  lines(): string[] {
    return this.#partial ? [...this.#lines, this.#partial] : [...this.#lines];
  }
}
