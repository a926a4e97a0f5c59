import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, statfsSync } from "node:fs";
import type { WorkspaceDirs } from "./paths.ts";

function run(file: string, args: string[]): void {
  const result = spawnSync(file, args, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${file} ${args.join(" ")} failed: ${(result.stderr || result.error?.message || "").trim()}`);
  }
}

export function isMounted(mountPoint: string): boolean {
  const escaped = mountPoint.replace(/ /g, "\\040");
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .some((line) => line.split(" ")[4] === escaped);
}

/** Creates (once) and mounts the workspace's ext4 image; its size is the disk quota. */
export function mountDiskImage(dirs: WorkspaceDirs, sizeMiB: number): void {
  if (!existsSync(dirs.image)) {
    const partial = `${dirs.image}.partial`;
    run("truncate", ["-s", `${sizeMiB}M`, partial]);
    run("mkfs.ext4", ["-q", "-F", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard", partial]);
    chmodSync(partial, 0o600);
    run("mv", [partial, dirs.image]);
  }
  mkdirSync(dirs.mount, { recursive: true, mode: 0o711 });
  if (!isMounted(dirs.mount)) run("mount", ["-o", "loop,nosuid,nodev", dirs.image, dirs.mount]);
  chmodSync(dirs.mount, 0o711);
}

export function unmountDiskImage(dirs: WorkspaceDirs): void {
  if (isMounted(dirs.mount)) run("umount", [dirs.mount]);
}

/**
 * The directories inside the disk: workspace, tmp and the checkpoint store belong to the workspace uid (the store is
 * bound only into checkpoint runs), logs to sandboxd.
 */
export function prepareDiskLayout(dirs: WorkspaceDirs, uid: number | null): void {
  mkdirSync(dirs.mount, { recursive: true, mode: 0o711 });
  for (const dir of [dirs.files, dirs.tmp, dirs.checkpoints]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (uid !== null) chownSync(dir, uid, uid);
    chmodSync(dir, 0o700);
  }
  mkdirSync(dirs.logs, { recursive: true, mode: 0o700 });
}

export function diskUsage(dirs: WorkspaceDirs): { usedBytes: number; totalBytes: number; freeBytes: number } | null {
  if (!isMounted(dirs.mount)) return null;
  const s = statfsSync(dirs.mount);
  return { totalBytes: s.blocks * s.bsize, usedBytes: (s.blocks - s.bfree) * s.bsize, freeBytes: s.bavail * s.bsize };
}
