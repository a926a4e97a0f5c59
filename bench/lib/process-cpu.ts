import { readdirSync, readFileSync } from "node:fs";

// CPU time the kernel charged to processes (user + system), read from /proc: unlike wall time and sampled profiles,
// it does not grow when other work on a busy machine takes the cores, so it compares two builds fairly on a shared
// machine.

const TICKS_PER_SECOND = 100; // Linux reports utime and stime in clock ticks of 1/100 s (USER_HZ).

interface ProcessStat {
  pid: number;
  name: string;
  group: number;
  cpuMs: number;
}

function pids(): string[] {
  return readdirSync("/proc").filter((name) => /^\d+$/.test(name));
}

function readStat(pid: string): ProcessStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The name is in parentheses and may hold spaces; the fields after it are space separated.
  const close = text.lastIndexOf(")");
  const name = text.slice(text.indexOf("(") + 1, close);
  const fields = text.slice(close + 2).split(" ");
  // After the name: state, ppid, pgrp, ... utime is field 14 and stime field 15 of the whole line.
  const group = Number(fields[2]);
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { pid: Number(pid), name, group, cpuMs: (ticks * 1000) / TICKS_PER_SECOND };
}

/** The process group of the workerd that listens for a `wrangler dev` Worker on `port` (wrangler and both runtimes). */
export function processGroupServing(port: number): number {
  for (const pid of pids()) {
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
      continue;
    }
    if (!cmdline.includes(`--socket-addr=entry=127.0.0.1:${port}\0`)) continue;
    const stat = readStat(pid);
    if (stat) return stat.group;
  }
  throw new Error(`no workerd serves port ${port}`);
}

/** Milliseconds of CPU used so far by the live processes of a group (only those whose name contains `name`, if given). */
export function groupCpuMs(group: number, name?: string): number {
  let total = 0;
  for (const pid of pids()) {
    const stat = readStat(pid);
    if (stat && stat.group === group && (name === undefined || stat.name.includes(name))) total += stat.cpuMs;
  }
  return total;
}

/** The CPU milliseconds a group's workerd processes (or those named `name`) spent while `work` ran. */
export async function cpuDuring(group: number, work: () => Promise<void>, name = "workerd"): Promise<number> {
  const before = groupCpuMs(group, name);
  await work();
  return groupCpuMs(group, name) - before;
}
