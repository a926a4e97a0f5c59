import { readdirSync, readFileSync } from "node:fs";

// CPU time the kernel charged to a process group (user + system), read from /proc: unlike a sampling profile or a
// stopwatch it does not grow when other work on a busy machine takes the cores away.

const TICK_MS = 10; // Linux reports utime and stime in clock ticks of 1/100 s (USER_HZ).

/** The fields of /proc/<pid>/stat after the command name, or null when the process is gone. */
function statFields(pid: string): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null;
  }
}

function pids(): string[] {
  return readdirSync("/proc").filter((name) => /^\d+$/.test(name));
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
    const fields = statFields(pid);
    if (fields) return Number(fields[2]);
  }
  throw new Error(`no workerd serves port ${port}`);
}

/** Milliseconds of CPU used so far by the live processes of a process group. */
export function groupCpuMs(pgid: number): number {
  let ticks = 0;
  for (const pid of pids()) {
    const fields = statFields(pid);
    // After the name: state, ppid, pgrp, ... utime is the 12th field from there, stime the 13th.
    if (fields && Number(fields[2]) === pgid) ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_MS;
}
