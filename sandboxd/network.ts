import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { isIP } from "node:net";
import { networkInterfaces } from "node:os";
import type { Capabilities } from "./capabilities.ts";
import { isMounted } from "./disk.ts";
import type { WorkspaceDirs } from "./paths.ts";

/** Private, shared, link-local (cloud metadata included) and unique-local ranges: unreachable from workspaces. */
export const BLOCKED_EGRESS = {
  ipv4: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"],
  ipv6: ["fc00::/7", "fe80::/10"],
};

/** What workspaces may reach inside the blocked ranges: the operator's allow-list and the sandbox's nameservers. */
export type EgressPolicy = { allow: string[]; nameservers: string[] };

/** Parses SANDBOXD_EGRESS_ALLOW (comma-separated addresses or CIDRs); throws on anything else, so a typo stops start. */
export function egressPolicy(allowList: string | undefined, nameservers: string[]): EgressPolicy {
  const allow = (allowList ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean)
    .map((entry) => {
      const [address = "", prefix, ...rest] = entry.split("/");
      const family = isIP(address);
      const bits = family === 6 ? 128 : 32;
      const length = prefix === undefined ? bits : Number(prefix);
      if (!family || rest.length || !/^\d*$/.test(prefix ?? "") || !Number.isInteger(length) || length < 0 || length > bits) {
        throw new Error(`SANDBOXD_EGRESS_ALLOW: "${entry}" is not an address or CIDR`);
      }
      return `${address}/${length}`;
    });
  return { allow, nameservers: nameservers.filter((ns) => isIP(ns)) };
}

// Policy rules sit between the local table (pref 0: the namespace's own addresses and loopback) and the main one.
const ALLOW_PREF = 1000;
const BLOCK_PREF = 1100;

/** `ip rule` lines for one family: the allow-list and DNS to the nameservers first, then the blocked ranges. */
function egressRules(policy: EgressPolicy, family: 4 | 6): string[] {
  const ofFamily = (cidr: string) => isIP(cidr.split("/")[0]!) === family;
  // A flush also drops the main table's own rule, so it is put back.
  const lines = ["rule flush", "rule add lookup main pref 32766"];
  for (const cidr of policy.allow.filter(ofFamily)) lines.push(`rule add to ${cidr} lookup main pref ${ALLOW_PREF}`);
  for (const ns of policy.nameservers.filter(ofFamily)) {
    for (const proto of ["udp", "tcp"]) lines.push(`rule add to ${ns} ipproto ${proto} dport 53 lookup main pref ${ALLOW_PREF}`);
  }
  for (const cidr of BLOCKED_EGRESS[family === 4 ? "ipv4" : "ipv6"]) lines.push(`rule add to ${cidr} prohibit pref ${BLOCK_PREF}`);
  return lines;
}

/**
 * A network namespace bound to a file, so it outlives the processes in it and sandboxd restarts. Loopback goes up,
 * and since pasta gives the namespace only the host's main address, every other host address (a docker bridge, a
 * second NIC) gets a prohibit route: otherwise pasta would reach it as the host itself. Policy rules make private,
 * link-local and unique-local ranges unreachable (a rule, unlike a route, also beats the namespace's own connected
 * subnet); they are set by root, and the sandbox user has no CAP_NET_ADMIN in this namespace to change them. Run on
 * every prepare, as the host's addresses may have changed since the namespace was made.
 */
export function ensureNetns(caps: Capabilities, dirs: WorkspaceDirs, policy: EgressPolicy): void {
  const lines = ["link set lo up", ...egressRules(policy, 4)];
  for (const info of Object.values(networkInterfaces()).flat()) {
    if (!info || info.address.startsWith("127.") || info.address === "::1" || info.address.startsWith("fe80:")) continue;
    lines.push(`route replace prohibit ${info.address}/${info.family === "IPv4" ? 32 : 128}`);
  }
  const exists = isMounted(dirs.netns);
  if (!exists) closeSync(openSync(dirs.netns, "a", 0o400));
  const enter = exists ? [caps.nsenter!, `--net=${dirs.netns}`] : [caps.unshare!, `--net=${dirs.netns}`];
  const result = spawnSync(enter[0]!, [...enter.slice(1), caps.ip!, "-batch", "-"], { input: `${lines.join("\n")}\n`, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`cannot set up the network namespace: ${result.stderr.trim()}`);
  // `ip -batch` takes no per-line family, so IPv6 rules are a second call (skipped where the kernel has no IPv6).
  if (!existsSync("/proc/sys/net/ipv6")) return;
  const v6 = spawnSync(caps.nsenter!, [`--net=${dirs.netns}`, caps.ip!, "-6", "-batch", "-"], {
    input: `${egressRules(policy, 6).join("\n")}\n`,
    encoding: "utf8",
  });
  if (v6.status !== 0) throw new Error(`cannot set up the network namespace's IPv6 rules: ${v6.stderr.trim()}`);
}

export function removeNetns(dirs: WorkspaceDirs): void {
  stopPasta(dirs);
  if (isMounted(dirs.netns)) {
    let r = spawnSync("umount", [dirs.netns], { encoding: "utf8" });
    if (r.status !== 0) r = spawnSync("umount", ["--lazy", dirs.netns], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`umount ${dirs.netns}: ${r.stderr}`);
  }
  rmSync(dirs.netns, { force: true });
}

function pastaPid(dirs: WorkspaceDirs): number | null {
  try {
    const pid = Number(readFileSync(dirs.pastaPid, "utf8").trim());
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return cmdline.includes(dirs.netns) ? pid : null;
  } catch {
    return null;
  }
}

export const pastaRunning = (dirs: WorkspaceDirs) => pastaPid(dirs) !== null;

/**
 * Connects the namespace to the outside through pasta. `-T none -U none` keeps the host's loopback ports out of
 * reach (pasta forwards them by default), `--no-map-gw` stops the gateway address from standing for the host.
 * pasta runs as root because this passt release cannot join a root-owned namespace after dropping to nobody.
 */
export function startPasta(caps: Capabilities, dirs: WorkspaceDirs): Promise<void> {
  if (pastaRunning(dirs)) return Promise.resolve();
  rmSync(dirs.pastaPid, { force: true });
  const args = ["--runas", "0:0", "--config-net", "--quiet", "-T", "none", "-U", "none", "-t", "none", "-u", "none"];
  args.push("--no-map-gw", "--netns", dirs.netns, "--pid", dirs.pastaPid);
  return new Promise((resolve, reject) => {
    // pasta daemonizes once the namespace is configured, so its first process exiting 0 means ready.
    const child = spawn(caps.pasta!, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (code === 0 && existsSync(dirs.pastaPid)) resolve();
      else reject(new Error(`pasta failed (exit ${code}): ${stderr.replace(/Failed to send \d+ bytes to syslog\n?/g, "").trim()}`));
    });
  });
}

export function stopPasta(dirs: WorkspaceDirs): void {
  const pid = pastaPid(dirs);
  if (pid !== null) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {}
    // pasta is not our child (it daemonized): wait until the kernel has let go of it and its namespace fd.
    const deadline = Date.now() + 2000;
    while (existsSync(`/proc/${pid}`) && !isZombie(pid) && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 2);
  }
  rmSync(dirs.pastaPid, { force: true });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

function isZombie(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.startsWith("Z") ?? false;
  } catch {
    return true;
  }
}
