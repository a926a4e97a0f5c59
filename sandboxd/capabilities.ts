import { accessSync, constants, existsSync } from "node:fs";
import path from "node:path";
import type { ProtectionReport } from "../src/sandbox/types.ts";

/** What this machine lets sandboxd use; decides which protections are on. */
export type Capabilities = {
  root: boolean;
  bwrap: string | null;
  setpriv: string | null;
  nsenter: string | null;
  unshare: string | null;
  ip: string | null;
  pasta: string | null;
  mkfs: string | null;
  python3: string | null;
  cgroups: { pids: string | null; memory: string | null; cpu: string | null; cpuacct: string | null };
  /** Compiled seccomp filter every sandbox is started with; set once sandboxd has written it. */
  seccompFilter: string | null;
};

const searchPath = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

function which(name: string): string | null {
  for (const dir of searchPath) {
    const candidate = path.join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return null;
}

function cgroupV1(controller: string, root: boolean): string | null {
  const dir = `/sys/fs/cgroup/${controller}`;
  if (!root || !existsSync(path.join(dir, "cgroup.procs"))) return null;
  try {
    accessSync(dir, constants.W_OK);
    return dir;
  } catch {
    return null;
  }
}

export function detectCapabilities(): Capabilities {
  const root = typeof process.getuid === "function" && process.getuid() === 0;
  return {
    root,
    bwrap: which("bwrap"),
    setpriv: which("setpriv"),
    nsenter: which("nsenter"),
    unshare: which("unshare"),
    ip: which("ip"),
    pasta: which("pasta"),
    mkfs: which("mkfs.ext4"),
    // The sandbox sees /usr only, so the executor must be the system python, not a user install.
    python3: existsSync("/usr/bin/python3") ? "/usr/bin/python3" : null,
    cgroups: {
      pids: cgroupV1("pids", root),
      memory: cgroupV1("memory", root),
      cpu: cgroupV1("cpu", root),
      cpuacct: cgroupV1("cpuacct", root),
    },
    seccompFilter: null,
  };
}

export const usesOwnUid = (c: Capabilities) => c.root && c.setpriv !== null;
export const usesNetns = (c: Capabilities) => c.root && c.nsenter !== null && c.unshare !== null && c.ip !== null;
export const usesPasta = (c: Capabilities) => usesNetns(c) && c.pasta !== null;
export const usesDiskImage = (c: Capabilities) => c.root && c.mkfs !== null;

export function protectionReport(c: Capabilities): ProtectionReport {
  const p: ProtectionReport["protections"] = {
    filesystem: { enabled: c.bwrap !== null, detail: "read-only system, workspace and private /tmp writable, generated /etc" },
    namespaces: { enabled: c.bwrap !== null, detail: "own user, PID, IPC, UTS and cgroup namespaces; capabilities dropped" },
    seccomp: {
      enabled: c.seccompFilter !== null,
      detail: c.seccompFilter
        ? "seccomp filter denies kernel-surface system calls (keyctl, bpf, io_uring, mount, ...)"
        : "needs the Debian package python3-seccomp",
    },
    separateUid: {
      enabled: usesOwnUid(c),
      detail: usesOwnUid(c)
        ? "each workspace runs as its own unprivileged host uid"
        : "needs root and setpriv: sandboxes run as the uid of sandboxd",
    },
    networkIsolation: {
      enabled: c.bwrap !== null,
      detail: usesNetns(c) ? "own network namespace per workspace" : "bubblewrap --unshare-net: no network at all",
    },
    outboundNetwork: {
      enabled: usesPasta(c),
      detail: usesPasta(c)
        ? "pasta user-mode networking; host loopback and host address unreachable"
        : "needs root and pasta (Debian package passt): workspaces have no network",
    },
    timeout: { enabled: true, detail: "wall-clock timeout per exec" },
    pidsLimit: {
      enabled: c.cgroups.pids !== null,
      detail: c.cgroups.pids ? "cgroup v1 pids.max" : "needs root and the cgroup v1 pids controller",
    },
    memoryLimit: {
      enabled: c.cgroups.memory !== null,
      detail: c.cgroups.memory ? "cgroup v1 memory.limit_in_bytes" : "needs root and the cgroup v1 memory controller",
    },
    cpuLimit: {
      enabled: c.cgroups.cpu !== null,
      detail: c.cgroups.cpu ? "cgroup v1 cpu.cfs_quota_us and cpu.shares" : "needs root and the cgroup v1 cpu controller",
    },
    diskQuota: {
      enabled: usesDiskImage(c),
      detail: usesDiskImage(c) ? "loop-mounted ext4 image per workspace" : "needs root and mkfs.ext4: no disk quota",
    },
  };
  return {
    root: c.root,
    protections: p,
    missing: Object.entries(p)
      .filter(([, v]) => !v.enabled)
      .map(([name]) => name),
  };
}
