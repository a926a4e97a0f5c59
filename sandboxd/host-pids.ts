import { readdirSync, readFileSync } from "node:fs";

/** A process's parent (as the host sees it) and its pid in each PID namespace, outermost first. */
function statusOf(pid: number): { ppid: number; nspid: number[] } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1]);
    const nspid = (/^NSpid:\s+([\d\s]+)$/m.exec(status)?.[1] ?? "").trim().split(/\s+/).map(Number);
    return Number.isFinite(ppid) && nspid.length > 0 ? { ppid, nspid } : null;
  } catch {
    return null;
  }
}

/**
 * The host pid of the child of `parentHostPid` that has pid `nsPid` in its own (innermost) PID namespace, among
 * `candidates` (the workspace's processes). Parent and namespace pid together name one process: another sandbox
 * of the workspace may have a process with the same namespace pid, but not the same parent.
 */
export function childInNamespace(candidates: number[], parentHostPid: number, nsPid: number): number | undefined {
  for (const pid of candidates) {
    const status = statusOf(pid);
    if (status && status.ppid === parentHostPid && status.nspid.at(-1) === nsPid) return pid;
  }
  return undefined;
}

/** The host id of the thread of process `hostPid` whose id in its PID namespace is `nsTid`. */
export function threadInNamespace(hostPid: number, nsTid: number): number | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${hostPid}/task`);
  } catch {
    return undefined;
  }
  for (const tid of tids) {
    try {
      const status = readFileSync(`/proc/${hostPid}/task/${tid}/status`, "utf8");
      const nspid = (/^NSpid:\s+([\d\s]+)$/m.exec(status)?.[1] ?? "").trim().split(/\s+/).map(Number);
      if (nspid.at(-1) === nsTid) return Number(tid);
    } catch {}
  }
  return undefined;
}
