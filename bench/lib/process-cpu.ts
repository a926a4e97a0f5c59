import { readdirSync, readFileSync } from "node:fs";

// CPU time of processes from /proc: unlike wall time and sampled profiles, it does not grow when other work on a busy
// machine takes the cores, so it compares two builds fairly on a shared machine.

const TICKS_PER_SECOND = 100;

interface ProcessStat {
  pid: number;
  name: string;
  group: number;
  cpuMs: number;
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

/** Milliseconds of CPU (user + system) used so far by the processes of a group whose name contains `name`. */
export function groupCpuMs(group: number, name = "workerd"): number {
  let total = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = readStat(pid);
    if (stat && stat.group === group && stat.name.includes(name)) total += stat.cpuMs;
  }
  return total;
}

/** The CPU milliseconds a group's processes spent while `work` ran. */
export async function cpuDuring(group: number, work: () => Promise<void>, name = "workerd"): Promise<number> {
  const before = groupCpuMs(group, name);
  await work();
  return groupCpuMs(group, name) - before;
}
