import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, openSync, readFileSync, rmSync } from "node:fs";
import { networkInterfaces } from "node:os";
import type { Capabilities } from "./capabilities.ts";
import { isMounted } from "./disk.ts";
import type { WorkspaceDirs } from "./paths.ts";

/**
 * A network namespace bound to a file, so it outlives the processes in it and sandboxd restarts. Loopback goes up,
 * and since pasta gives the namespace only the host's main address, every other host address (a docker bridge, a
 * second NIC) gets a prohibit route: otherwise pasta would reach it as the host itself. Run on every prepare, as the
 * host's addresses may have changed since the namespace was made.
 */
export function ensureNetns(caps: Capabilities, dirs: WorkspaceDirs): void {
  const lines = ["link set lo up"];
  for (const info of Object.values(networkInterfaces()).flat()) {
    if (!info || info.address.startsWith("127.") || info.address === "::1" || info.address.startsWith("fe80:")) continue;
    lines.push(`route replace prohibit ${info.address}/${info.family === "IPv4" ? 32 : 128}`);
  }
  const exists = isMounted(dirs.netns);
  if (!exists) closeSync(openSync(dirs.netns, "a", 0o400));
  const enter = exists ? [caps.nsenter!, `--net=${dirs.netns}`] : [caps.unshare!, `--net=${dirs.netns}`];
  const result = spawnSync(enter[0]!, [...enter.slice(1), caps.ip!, "-batch", "-"], { input: `${lines.join("\n")}\n`, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`cannot set up the network namespace: ${result.stderr.trim()}`);
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
