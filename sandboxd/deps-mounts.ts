// A template's node_modules in a workspace: an overlay whose lower layer is the shared, read-only store and whose
// upper layer lives in the workspace's own disk image (so the user's changes count against its quota and stay its
// own). sandboxd mounts it as root on the host, below the workspace's files; the disk image's mount is shared, so
// the mount reaches sandboxes that are already running (bubblewrap makes their copies slaves of it).
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  chownSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import type { WorkspaceDirs } from "./paths.ts";

/** One overlay of a workspace: where it is (relative to the workspace root) and which store it shows. */
export type DepsMount = { id: string; path: string; store: string; template: string };

const depsDir = (dirs: WorkspaceDirs) => path.join(dirs.mount, "deps");
const recordsFile = (dirs: WorkspaceDirs) => path.join(dirs.dir, "deps.json");

function mountCommand(args: string[]): void {
  const result = spawnSync("mount", args, { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`mount ${args.join(" ")} failed: ${(result.stderr || result.error?.message || "").trim()}`);
}

/**
 * Opens a directory of the workspace one component at a time, refusing symlinks at every step: the tree belongs to
 * the workspace user, who could otherwise point a path sandboxd mounts on at a host directory.
 */
function openBeneath(root: string, relative: string): number {
  let fd = openSync(root, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    for (const part of relative.split("/").filter(Boolean)) {
      if (part === "." || part === "..") throw new Error(`invalid path component in ${relative}`);
      const next = openSync(`/proc/self/fd/${fd}/${part}`, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      closeSync(fd);
      fd = next;
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** Mounts the store at `relative` (an empty directory the workspace user made) with a fresh upper layer. */
export function mountDeps(dirs: WorkspaceDirs, uid: number | null, mount: DepsMount, storeNodeModules: string): void {
  const layer = path.join(depsDir(dirs), mount.id);
  mkdirSync(depsDir(dirs), { recursive: true, mode: 0o700 });
  chmodSync(depsDir(dirs), 0o700);
  const upper = path.join(layer, "upper");
  const work = path.join(layer, "work");
  if (!existsSync(upper)) {
    mkdirSync(upper, { recursive: true, mode: 0o755 });
    // The merged node_modules is the user's own directory; what is in it comes from the store.
    if (uid !== null) chownSync(upper, uid, uid);
  }
  mkdirSync(work, { recursive: true, mode: 0o700 });
  const fd = openBeneath(dirs.files, mount.path);
  try {
    const options = `lowerdir=${storeNodeModules},upperdir=${upper},workdir=${work},redirect_dir=on,nosuid,nodev`;
    // The fd's magic link is the directory checked above, whatever the path says by the time mount runs.
    mountCommand(["--no-canonicalize", "-t", "overlay", "overlay", "-o", options, `/proc/${process.pid}/fd/${fd}`]);
  } finally {
    closeSync(fd);
  }
}

function unescapeMountinfo(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(Number.parseInt(octal, 8)));
}

/** The deps overlays mounted now, by layer id, with where they are: the truth after the user moved a project. */
export function mountedDeps(dirs: WorkspaceDirs): Map<string, string> {
  const found = new Map<string, string>();
  const layers = `${depsDir(dirs)}/`;
  for (const line of readFileSync("/proc/self/mountinfo", "utf8").split("\n")) {
    const [before, after] = line.split(" - ");
    if (!before || !after) continue;
    const [fstype, , superOptions = ""] = after.split(" ");
    const mountPoint = unescapeMountinfo(before.split(" ")[4] ?? "");
    if (fstype !== "overlay" || !mountPoint.startsWith(`${dirs.files}/`)) continue;
    const upper = superOptions
      .split(",")
      .find((option) => option.startsWith("upperdir="))
      ?.slice("upperdir=".length);
    const id = upper && unescapeMountinfo(upper).startsWith(layers) ? path.basename(path.dirname(unescapeMountinfo(upper))) : null;
    if (id) found.set(id, path.relative(dirs.files, mountPoint));
  }
  return found;
}

/** Unmounts the deps overlays at or below `relative` (all of them without it), deepest first; returns their ids. */
export function unmountDeps(dirs: WorkspaceDirs, relative?: string): string[] {
  const mounted = [...mountedDeps(dirs)].filter(
    ([, at]) => relative === undefined || relative === "" || at === relative || at.startsWith(`${relative}/`),
  );
  mounted.sort(([, a], [, b]) => b.length - a.length);
  for (const [, at] of mounted) {
    const result = spawnSync("umount", ["--no-canonicalize", path.join(dirs.files, at)], { encoding: "utf8" });
    if (result.status !== 0) spawnSync("umount", ["-l", "--no-canonicalize", path.join(dirs.files, at)]);
  }
  return mounted.map(([id]) => id);
}

export function readDepsRecords(dirs: WorkspaceDirs): DepsMount[] {
  try {
    return JSON.parse(readFileSync(recordsFile(dirs), "utf8")) as DepsMount[];
  } catch {
    return [];
  }
}

export function writeDepsRecords(dirs: WorkspaceDirs, records: DepsMount[]): void {
  writeFileSync(`${recordsFile(dirs)}.tmp`, JSON.stringify(records), { mode: 0o600 });
  renameSync(`${recordsFile(dirs)}.tmp`, recordsFile(dirs));
}

/** Upper layers no record names any more (their project was deleted): their space goes back to the quota. */
export function removeOrphanLayers(dirs: WorkspaceDirs, records: DepsMount[]): void {
  if (!existsSync(depsDir(dirs))) return;
  const kept = new Set(records.map((r) => r.id));
  for (const id of readdirSync(depsDir(dirs))) if (!kept.has(id)) rmSync(path.join(depsDir(dirs), id), { recursive: true, force: true });
}

export const newLayerId = () => randomBytes(6).toString("hex");
