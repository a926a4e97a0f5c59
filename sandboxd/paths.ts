import path from "node:path";
import { HttpError, invalid } from "./errors.ts";

/** Where a workspace appears inside its sandbox. */
export const SANDBOX_ROOT = "/workspace";

/** Checks a client path without touching the disk; the executor then resolves symlinks inside the sandbox. */
export function workspacePath(input: string): string {
  if (input.includes("\0")) throw invalid("path contains a NUL byte", "invalid_path");
  if (input.length > 4096) throw invalid("path is longer than 4096 characters", "invalid_path");
  if (input.split(/[\\/]+/).includes("..")) throw invalid(`path may not contain "..": ${input}`, "invalid_path");
  const absolute = input.startsWith("/") ? input : path.posix.join(SANDBOX_ROOT, input);
  const normal = path.posix.normalize(absolute).replace(/\/+$/, "") || "/";
  if (normal !== SANDBOX_ROOT && !normal.startsWith(`${SANDBOX_ROOT}/`)) {
    throw new HttpError(403, "path_outside_workspace", `path is outside the workspace (${SANDBOX_ROOT}): ${input}`);
  }
  return normal;
}

/** The files sandboxd keeps for one workspace under its data dir. */
export type WorkspaceDirs = {
  dir: string;
  meta: string;
  processes: string;
  image: string;
  /** Mount point of the disk image (or a plain directory without root). */
  mount: string;
  /** Bound to /workspace in the sandbox. */
  files: string;
  /** Bound to /tmp in the sandbox. */
  tmp: string;
  /** Background process logs: inside the quota, outside the sandbox's view. */
  logs: string;
  /** The checkpoint store (./checkpoints.ts): inside the quota, outside the sandbox's view. */
  checkpoints: string;
  netns: string;
  pastaPid: string;
};

export function workspaceDirs(dataDir: string, id: string): WorkspaceDirs {
  const dir = path.join(dataDir, "workspaces", id);
  const mount = path.join(dir, "disk");
  return {
    dir,
    meta: path.join(dir, "workspace.json"),
    processes: path.join(dir, "processes.json"),
    image: path.join(dir, "disk.img"),
    mount,
    files: path.join(mount, "workspace"),
    tmp: path.join(mount, "tmp"),
    logs: path.join(mount, "logs"),
    checkpoints: path.join(mount, "checkpoints"),
    netns: path.join(dir, "netns"),
    pastaPid: path.join(dir, "pasta.pid"),
  };
}

export const workspaceIdPattern = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
