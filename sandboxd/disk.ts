import { spawn, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync } from "node:fs";
import path from "node:path";
import type { WorkspaceDirs } from "./paths.ts";

function run(file: string, args: string[]): void {
  const result = spawnSync(file, args, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${file} ${args.join(" ")} failed: ${(result.stderr || result.error?.message || "").trim()}`);
  }
}

function mountLine(mountPoint: string): string | undefined {
  const escaped = mountPoint.replace(/ /g, "\\040");
  return readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .find((line) => line.split(" ")[4] === escaped);
}

export function isMounted(mountPoint: string): boolean {
  return mountLine(mountPoint) !== undefined;
}

function isShared(mountPoint: string): boolean {
  return / shared:\d+/.test(mountLine(mountPoint)?.split(" - ")[0] ?? "");
}

const MKFS_ARGS = ["-q", "-F", "-m", "0", "-E", "lazy_itable_init=1,lazy_journal_init=1,nodiscard"];

/**
 * Creates (once) and mounts the workspace's ext4 image; its size is the disk quota. A spare image of that size,
 * formatted ahead of time (`fillSpareImage`), is taken when there is one: a new workspace then skips mkfs.
 */
export function mountDiskImage(dirs: WorkspaceDirs, sizeMiB: number, spare?: string): void {
  if (!existsSync(dirs.image) && !(spare && takeSpare(spare, dirs.image))) {
    const partial = `${dirs.image}.partial`;
    run("truncate", ["-s", `${sizeMiB}M`, partial]);
    run("mkfs.ext4", [...MKFS_ARGS, partial]);
    chmodSync(partial, 0o600);
    renameSync(partial, dirs.image);
  }
  mkdirSync(dirs.mount, { recursive: true, mode: 0o711 });
  // Shared, so that dependency overlays mounted below it later reach sandboxes already running (./deps-mounts.ts).
  if (!isMounted(dirs.mount)) run("mount", ["-o", "loop,nosuid,nodev,shared", dirs.image, dirs.mount]);
  else if (!isShared(dirs.mount)) run("mount", ["--make-shared", dirs.mount]);
  chmodSync(dirs.mount, 0o711);
}

/** Moves the spare into place; false when there is none (another workspace took it first, or it is not made yet). */
function takeSpare(spare: string, image: string): boolean {
  try {
    renameSync(spare, image);
    return true;
  } catch {
    return false;
  }
}

/** Where the spare image of a size waits: in the data dir, so that taking it is a rename on the same file system. */
export const spareImagePath = (dataDir: string, sizeMiB: number) => path.join(dataDir, "spare", `disk-${sizeMiB}M.img`);

const filling = new Set<string>();

/** Formats the spare image of a size in the background (never blocking sandboxd), unless it is there or under way. */
export function fillSpareImage(spare: string, sizeMiB: number, log: (message: string) => void): void {
  if (filling.has(spare) || existsSync(spare)) return;
  filling.add(spare);
  const partial = `${spare}.partial`;
  const step = (file: string, args: string[]) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(file, args, { stdio: ["ignore", "ignore", "pipe"] });
      let stderr = "";
      child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
      child.on("error", reject);
      child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${file} failed: ${stderr.trim()}`))));
    });
  void (async () => {
    mkdirSync(path.dirname(spare), { recursive: true, mode: 0o700 });
    rmSync(partial, { force: true });
    await step("truncate", ["-s", `${sizeMiB}M`, partial]);
    await step("mkfs.ext4", [...MKFS_ARGS, partial]);
    chmodSync(partial, 0o600);
    renameSync(partial, spare);
  })()
    .catch((error) => log(`spare disk image: ${(error as Error).message}`))
    .finally(() => filling.delete(spare));
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
