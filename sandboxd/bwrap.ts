import { copyFileSync, existsSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Capabilities } from "./capabilities.ts";
import { usesNetns, usesOwnUid } from "./capabilities.ts";
import { SANDBOX_ROOT, type WorkspaceDirs } from "./paths.ts";

/** The uid and gid every workspace user has inside its own user namespace. */
export const SANDBOX_UID = 1000;

/** Where the executor script is bound, read-only, inside every sandbox. */
export const EXECUTOR_PATH = "/run/sandboxd/executor.py";
/** NUL-separated NAME=value pairs a background process starts with, read from a pipe by bubblewrap. */
const ENV_FILE = "/run/sandboxd/env";
const envLoader = `while IFS= read -r -d "" kv; do export "$kv"; done < ${ENV_FILE}; exec "$@"`;

const CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt";

/** Environment every sandboxed command starts from; a request's env is laid over it. */
export const baseEnv: Record<string, string> = {
  PATH: "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
  HOME: SANDBOX_ROOT,
  USER: "user",
  LOGNAME: "user",
  SHELL: "/bin/bash",
  LANG: "C.UTF-8",
  TMPDIR: "/tmp",
  SSL_CERT_FILE: CA_BUNDLE,
  NODE_EXTRA_CA_CERTS: CA_BUNDLE,
  npm_config_cafile: CA_BUNDLE,
  GIT_SSL_CAINFO: CA_BUNDLE,
  PYTHONDONTWRITEBYTECODE: "1",
};

/** Writes the minimal /etc every sandbox sees: no host users, groups or secrets. */
export function writeSandboxEtc(etcDir: string): void {
  mkdirSync(etcDir, { recursive: true, mode: 0o755 });
  const nameservers = readHostNameservers();
  const files: Record<string, string> = {
    passwd: `root:x:0:0:root:/root:/usr/sbin/nologin\nuser:x:${SANDBOX_UID}:${SANDBOX_UID}:user:${SANDBOX_ROOT}:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `root:x:0:\nuser:x:${SANDBOX_UID}:\nnogroup:x:65534:\n`,
    hosts: "127.0.0.1 localhost sandbox\n::1 localhost ip6-localhost ip6-loopback\n",
    hostname: "sandbox\n",
    "resolv.conf": nameservers.map((ns) => `nameserver ${ns}\n`).join(""),
    "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
    gitconfig: "[init]\n\tdefaultBranch = main\n[safe]\n\tdirectory = *\n",
  };
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(etcDir, name), content, { mode: 0o644 });
  copyFileSync(new URL("./executor.py", import.meta.url), path.join(etcDir, "executor.py"));
}

// A loopback resolver on the host is unreachable from the sandbox by design, so only other nameservers are kept.
export function readHostNameservers(): string[] {
  try {
    return readFileSync("/etc/resolv.conf", "utf8")
      .split("\n")
      .map((line) => line.trim().split(/\s+/))
      .filter(([key, value]) => key === "nameserver" && value && !value.startsWith("127.") && value !== "::1")
      .map(([, value]) => value!);
  } catch {
    return [];
  }
}

const hostEtcReadOnly = ["ld.so.cache", "alternatives", "ssl", "ca-certificates", "localtime", "mime.types"];

export type SandboxSpec = {
  caps: Capabilities;
  dirs: WorkspaceDirs;
  etcDir: string;
  uid: number | null;
  cgroupProcs: string[];
  /** bubblewrap writes `{"child-pid": N}` and later `{"exit-code": N}` to this fd. */
  jsonStatusFd?: number;
  /**
   * The command is the sandbox's PID 1 itself, with no bubblewrap init beside it: that init would hold the
   * command's stdin and stdout (bubblewrap's init closes only fds above 2) while being dumpable, so any process in
   * the sandbox could take them. The command then reaps orphans itself.
   */
  asPid1?: boolean;
};

/** Opens the seccomp filter for one spawn: bubblewrap reads it from the fd the caller places it on. */
export function openSeccompFilter(caps: Capabilities): number | null {
  return caps.seccompFilter ? openSync(caps.seccompFilter, "r") : null;
}

/** argv that runs `command` in the workspace's sandbox: cgroups, network namespace, own uid, then bubblewrap. */
export function sandboxCommand(
  spec: SandboxSpec,
  command: string[],
  options: {
    cwd?: string;
    env?: Record<string, string>;
    envFd?: number;
    seccompFd?: number;
    /** Read-only files laid over sandbox paths, each read by bubblewrap from an fd. */
    dataBinds?: { fd: number; target: string }[];
    /** Host directories bound writable at sandbox paths, for this sandbox only. */
    binds?: { source: string; target: string }[];
  },
): { file: string; args: string[]; env: NodeJS.ProcessEnv } {
  const { caps, dirs } = spec;
  const extra: string[] = [];
  if (options.seccompFd !== undefined) extra.push("--seccomp", String(options.seccompFd));
  for (const bind of options.dataBinds ?? []) extra.push("--ro-bind-data", String(bind.fd), bind.target);
  for (const bind of options.binds ?? []) extra.push("--bind", bind.source, bind.target);
  // Env values from a pipe instead of --setenv keep them out of the argv that host users can read in ps.
  if (options.envFd !== undefined) {
    extra.push("--ro-bind-data", String(options.envFd), ENV_FILE);
    command = ["/bin/bash", "-c", envLoader, "sandbox-env", ...command];
  }
  const sandboxEnv = options.envFd === undefined ? { ...baseEnv, ...options.env } : baseEnv;
  const bwrap = [caps.bwrap!, ...bwrapArgs(spec, options.cwd ?? SANDBOX_ROOT, sandboxEnv, extra), "--", ...command];
  const argv: string[] = [];
  if (usesNetns(caps)) argv.push(caps.nsenter!, `--net=${dirs.netns}`, "--");
  if (usesOwnUid(caps) && spec.uid !== null) {
    argv.push(caps.setpriv!, `--reuid=${spec.uid}`, `--regid=${spec.uid}`, "--clear-groups", "--no-new-privs");
    argv.push("--inh-caps=-all", "--bounding-set=-all", "--");
  }
  argv.push(...bwrap);
  // The root stages (sh, nsenter, setpriv) get a fixed environment; the sandbox's is set by bubblewrap itself.
  const env: Record<string, string> = { PATH: baseEnv.PATH!, CGROUP_PROCS: spec.cgroupProcs.join(" ") };
  // The wrapper shell joins the workspace's cgroups first, so everything it then execs is counted and limited.
  const script = 'for f in $CGROUP_PROCS; do echo $$ > "$f" || exit 125; done; unset CGROUP_PROCS; exec "$@"';
  // Next.js's types make NODE_ENV a required key of every ProcessEnv; the wrapper does not need it.
  return { file: "/bin/sh", args: ["-c", script, "sandbox", ...argv], env: env as unknown as NodeJS.ProcessEnv };
}

function bwrapArgs(spec: SandboxSpec, cwd: string, env: Record<string, string>, extra: string[]): string[] {
  const { caps, dirs, etcDir } = spec;
  const a: string[] = [];
  a.push("--unshare-user", "--uid", String(SANDBOX_UID), "--gid", String(SANDBOX_UID), "--disable-userns");
  a.push("--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try", "--hostname", "sandbox");
  if (spec.asPid1) a.push("--as-pid-1");
  if (!usesNetns(caps)) a.push("--unshare-net");
  a.push("--die-with-parent", "--new-session", "--cap-drop", "ALL", "--clearenv");
  for (const [key, value] of Object.entries(env)) a.push("--setenv", key, value);
  a.push("--ro-bind", "/usr", "/usr");
  for (const top of ["bin", "sbin", "lib", "lib32", "lib64", "libx32"]) {
    const host = `/${top}`;
    if (!existsSync(host)) continue;
    if (lstatSync(host).isSymbolicLink()) a.push("--symlink", readlinkSync(host), host);
    else a.push("--ro-bind", host, host);
  }
  a.push("--proc", "/proc", "--dev", "/dev", "--size", String(64 * 1024 * 1024), "--tmpfs", "/dev/shm", "--remount-ro", "/dev");
  a.push("--dir", "/etc");
  for (const name of ["passwd", "group", "hosts", "hostname", "resolv.conf", "nsswitch.conf", "gitconfig"]) {
    a.push("--ro-bind", path.join(etcDir, name), `/etc/${name}`);
  }
  for (const name of hostEtcReadOnly) a.push("--ro-bind-try", `/etc/${name}`, `/etc/${name}`);
  a.push("--bind", dirs.files, SANDBOX_ROOT, "--bind", dirs.tmp, "/tmp");
  a.push("--dir", "/var", "--symlink", "../tmp", "/var/tmp", "--dir", "/run");
  a.push("--ro-bind", path.join(etcDir, "executor.py"), EXECUTOR_PATH);
  a.push(...extra, "--chdir", cwd, "--remount-ro", "/");
  if (spec.jsonStatusFd !== undefined) a.push("--json-status-fd", String(spec.jsonStatusFd));
  return a;
}
