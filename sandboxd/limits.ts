import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Capabilities } from "./capabilities.ts";
import type { LimitError, Limits } from "../src/sandbox/types.ts";

type Controller = "pids" | "memory" | "cpu" | "cpuacct";

/** Counters that tell which limit a command ran into. */
export type LimitCounters = { oomKills: number; pidsRefused: number };

/** The cgroup v1 groups of one workspace: every sandbox process of the workspace shares them. */
export class WorkspaceCgroups {
  readonly #dirs: Partial<Record<Controller, string>> = {};

  /** `instance` keeps two sandboxd (e.g. `npm start` and a test run) with the same workspace id apart. */
  constructor(caps: Capabilities, instance: string, workspaceId: string) {
    for (const controller of ["pids", "memory", "cpu", "cpuacct"] as const) {
      const mount = caps.cgroups[controller];
      if (mount) this.#dirs[controller] = path.join(mount, "sandboxd", instance, workspaceId);
    }
  }

  apply(limits: Limits): void {
    const { pids, memory, cpu } = this.#dirs;
    for (const dir of Object.values(this.#dirs)) mkdirSync(dir, { recursive: true });
    if (pids) writeFileSync(path.join(pids, "pids.max"), String(limits.pids));
    if (memory) {
      const bytes = String(limits.memoryMiB * 1024 * 1024);
      writeFileSync(path.join(memory, "memory.limit_in_bytes"), bytes);
      const memsw = path.join(memory, "memory.memsw.limit_in_bytes");
      if (existsSync(memsw)) writeFileSync(memsw, bytes);
    }
    if (cpu) {
      writeFileSync(path.join(cpu, "cpu.cfs_period_us"), "100000");
      writeFileSync(path.join(cpu, "cpu.cfs_quota_us"), String(Math.max(1000, Math.round(limits.cpus * 100000))));
    }
  }

  /**
   * cgroup.procs files the sandbox wrapper writes its pid into before it execs bubblewrap: the workspace's, or with
   * a command's group, that group's for pids and cpuacct (the workspace's memory and CPU limits still apply).
   */
  procsFiles(command?: CommandCgroup): string[] {
    const own = command?.procsFiles() ?? [];
    return Object.entries(this.#dirs)
      .filter(([controller]) => !command || (controller !== "pids" && controller !== "cpuacct"))
      .map(([, dir]) => path.join(dir, "cgroup.procs"))
      .concat(own);
  }

  counters(): LimitCounters {
    return {
      oomKills: readCounter(this.#dirs.memory, "memory.oom_control", "oom_kill"),
      // A refused fork is counted in the group of the process that tried: its command's group, or the workspace's.
      pidsRefused: [this.#dirs.pids, ...childGroups(this.#dirs.pids)].reduce((sum, dir) => sum + readCounter(dir, "pids.events", "max"), 0),
    };
  }

  /** Every process of the workspace, its commands' own groups included. */
  pids(): number[] {
    const dir = this.#dirs.pids ?? this.#dirs.memory ?? this.#dirs.cpu;
    return dir ? pidsUnder(dir) : [];
  }

  /** Whether commands can have groups of their own (the pids controller is there). */
  canGroupCommands(): boolean {
    return this.#dirs.pids !== undefined && !process.env.SANDBOXD_NO_COMMAND_GROUPS;
  }

  /** A group of one command (an exec and everything it starts) under the workspace's, or null without pids. */
  command(name: string): CommandCgroup | null {
    if (!this.#dirs.pids) return null;
    return new CommandCgroup(path.join(this.#dirs.pids, name), this.#dirs.cpuacct ? path.join(this.#dirs.cpuacct, name) : null);
  }

  /** Removes the groups of commands and processes (after a crash: nothing runs in them any more). */
  removeCommandGroups(): void {
    for (const dir of Object.values(this.#dirs)) for (const child of childGroups(dir)) removeGroup(child);
  }

  /** cgroup v1 has no cgroup.kill: kill what is listed until nothing is left. */
  killAll(): void {
    for (let round = 0; round < 100; round++) {
      const pids = this.pids();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
    }
  }

  remove(): void {
    this.killAll();
    for (const dir of Object.values(this.#dirs)) {
      for (const child of childGroups(dir)) removeGroup(child);
      for (let attempt = 0; attempt < 50 && existsSync(dir); attempt++) {
        try {
          rmdirSync(dir);
        } catch {
          this.killAll();
        }
      }
    }
  }
}

/**
 * The groups of one command: a pids group that holds its whole tree (a process cannot leave it: the sandbox has no
 * cgroup filesystem), and a cpuacct group that counts its CPU time. Nested in the workspace's groups, so the
 * workspace's limits still apply. Made before the command runs and removed, with whatever is left in it, at its end.
 */
export class CommandCgroup {
  readonly #pids: string;
  readonly #cpuacct: string | null;
  /** A process never killed with the group (the executor, whose spawner thread was in it until it forked). */
  #spared: number | undefined;

  constructor(pids: string, cpuacct: string | null) {
    this.#pids = pids;
    this.#cpuacct = cpuacct;
    // A group left by an earlier sandboxd run (killed at its start) may still be there; it is reused.
    mkdirSync(pids, { recursive: true });
    if (cpuacct) mkdirSync(cpuacct, { recursive: true });
  }

  procsFiles(): string[] {
    return [this.#pids, ...(this.#cpuacct ? [this.#cpuacct] : [])].map((dir) => path.join(dir, "cgroup.procs"));
  }

  /** Moves a (held, not yet running) process in, before it can start anything. */
  adopt(hostPid: number): void {
    writeFileSync(path.join(this.#pids, "cgroup.procs"), String(hostPid));
    if (this.#cpuacct) writeFileSync(path.join(this.#cpuacct, "cgroup.procs"), String(hostPid));
  }

  /** Moves one thread in (a spawner thread of `ownerPid`, the executor): what it forks starts in the group. */
  adoptThread(hostTid: number, ownerPid: number): void {
    this.#spared = ownerPid;
    writeFileSync(path.join(this.#pids, "tasks"), String(hostTid));
    if (this.#cpuacct) writeFileSync(path.join(this.#cpuacct, "tasks"), String(hostTid));
  }

  /** Kills everything still in the group: whatever the command left behind, however it detached. */
  killAll(): void {
    killUntilEmpty(() => pidsUnder(this.#pids).filter((pid) => pid !== this.#spared));
  }

  /** CPU time of the command and every process it started, in nanoseconds. */
  cpuNs(): number {
    return readNumber(this.#cpuacct ?? undefined, "cpuacct.usage");
  }

  remove(): void {
    this.killAll();
    removeGroup(this.#pids, this.#spared);
    if (this.#cpuacct) removeGroup(this.#cpuacct, this.#spared);
  }
}

function childGroups(dir: string | undefined): string[] {
  if (!dir) return [];
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => path.join(dir, entry.name));
  } catch {
    return [];
  }
}

function pidsUnder(dir: string): number[] {
  let pids: number[];
  try {
    pids = readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
  for (const child of childGroups(dir)) pids.push(...pidsUnder(child));
  return pids;
}

function killUntilEmpty(list: () => number[]): void {
  // cgroup v1 has no cgroup.kill, and a fork bomb makes processes while we kill: repeat until none is left.
  for (let round = 0; round < 100; round++) {
    const pids = list();
    if (pids.length === 0) return;
    for (const pid of pids) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {}
    }
  }
}

function removeGroup(dir: string, spared?: number): void {
  for (let attempt = 0; attempt < 50 && existsSync(dir); attempt++) {
    try {
      rmdirSync(dir);
    } catch {
      killUntilEmpty(() => pidsUnder(dir).filter((pid) => pid !== spared));
    }
  }
}

function readNumber(dir: string | undefined, file: string): number {
  if (!dir) return 0;
  try {
    return Number(readFileSync(path.join(dir, file), "utf8").trim()) || 0;
  } catch {
    return 0;
  }
}

/** Removes this sandboxd's (then empty) parent groups at shutdown; groups still in use stay. */
export function removeInstanceCgroups(caps: Capabilities, instance: string): void {
  for (const mount of Object.values(caps.cgroups)) {
    if (!mount) continue;
    try {
      rmdirSync(path.join(mount, "sandboxd", instance));
    } catch {}
  }
}

function readCounter(dir: string | undefined, file: string, key: string): number {
  if (!dir) return 0;
  try {
    const line = readFileSync(path.join(dir, file), "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${key} `));
    return line ? Number(line.split(" ")[1]) : 0;
  } catch {
    return 0;
  }
}

/** Names the limit a command ran into, most specific first, or undefined. */
export function limitError(
  limits: Limits,
  before: LimitCounters,
  after: LimitCounters,
  outcome: { timedOut: boolean; timeoutMs: number; diskFull: boolean },
): LimitError | undefined {
  if (after.oomKills > before.oomKills) {
    return {
      code: "memory_limit_exceeded",
      limit: "memory",
      message: `memory limit of ${limits.memoryMiB} MiB exceeded: the workspace's largest process was killed`,
    };
  }
  if (after.pidsRefused > before.pidsRefused) {
    return {
      code: "pids_limit_exceeded",
      limit: "pids",
      message: `process limit of ${limits.pids} processes reached: new processes were refused`,
    };
  }
  if (outcome.diskFull) {
    return { code: "disk_quota_exceeded", limit: "disk", message: `workspace disk quota of ${limits.diskMiB} MiB is full` };
  }
  if (outcome.timedOut) {
    return {
      code: "timeout_exceeded",
      limit: "timeout",
      message: `timeout of ${outcome.timeoutMs} ms exceeded: the command and its children were killed`,
    };
  }
  return undefined;
}
