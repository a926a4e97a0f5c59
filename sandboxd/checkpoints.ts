import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync, unlinkSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import type { Checkpoint, CheckpointDiff, CheckpointList, CreateCheckpointOptions, RestoreResult } from "../src/sandbox/types.ts";
import { HttpError } from "./errors.ts";
import type { Workspace } from "./workspace.ts";

/*
 * Workspace checkpoints: ./checkpoint.py keeps a content-addressed store in the workspace's disk image beside (not
 * inside) its files, so the store counts against the disk quota and no command of the workspace can see it. The
 * script runs in a sandbox of its own (Workspace.execIsolated) as the workspace user with the store bound at
 * /checkpoints: it reads and writes the workspace from inside, where a symlink cannot lead to another's files.
 */

const SCRIPT = readFileSync(new URL("./checkpoint.py", import.meta.url), "utf8");
const SCRIPT_PATH = "/run/sandboxd/checkpoint.py";
const STORE_PATH = "/checkpoints";
/** Checkpoints kept per thread when the caller does not say (README: Checkpoints). */
export const DEFAULT_KEEP = 20;
/** The first checkpoint of a large workspace copies every file. */
const TIMEOUT_MS = 10 * 60_000;

const checkpointSchema = z.object({
  id: z.string(),
  createdAt: z.string(),
  kind: z.enum(["before-turn", "after-turn", "manual", "before-restore"]),
  threadId: z.string().nullable(),
  messageId: z.string().nullable(),
  restoring: z.string().optional(),
  files: z.number(),
  bytes: z.number(),
});

const statusByCode: Record<string, number> = {
  checkpoint_not_found: 404,
  checkpoint_exists: 409,
  invalid_request: 400,
  disk_quota_exceeded: 507,
};

const stores = new WeakMap<Workspace, CheckpointStore>();

/** The one store of a workspace (its operations run one at a time). */
export function checkpointsOf(workspace: Workspace): CheckpointStore {
  let store = stores.get(workspace);
  if (!store) stores.set(workspace, (store = new CheckpointStore(workspace)));
  return store;
}

export class CheckpointStore {
  readonly #workspace: Workspace;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(workspace: Workspace) {
    this.#workspace = workspace;
  }

  async create(options: CreateCheckpointOptions): Promise<Checkpoint> {
    const meta = { kind: options.kind ?? "manual", threadId: options.threadId ?? null, messageId: options.messageId ?? null };
    const { checkpoint } = await this.#run<{ checkpoint: unknown }>(["create", newId(), JSON.stringify(meta)]);
    this.#prune(meta.threadId, options.keep ?? DEFAULT_KEEP);
    return checkpointSchema.parse(checkpoint);
  }

  async list(): Promise<CheckpointList> {
    await this.#workspace.prepare();
    return { checkpoints: this.#metas().reverse(), storeBytes: storeBytes(this.#workspace.dirs.checkpoints) };
  }

  async get(id: string): Promise<Checkpoint> {
    const found = (await this.list()).checkpoints.find((c) => c.id === id);
    if (!found) throw new HttpError(404, "checkpoint_not_found", `no checkpoint ${id} in this workspace`);
    return found;
  }

  async diff(from: string, to: string): Promise<CheckpointDiff> {
    const result = await this.#run<Omit<CheckpointDiff, "from" | "to">>(["diff", from, to]);
    return { from, to, ...result };
  }

  async restore(id: string): Promise<RestoreResult> {
    const target = await this.get(id);
    const meta = { kind: "before-restore", threadId: target.threadId, messageId: target.messageId, restoring: id };
    const result = await this.#run<{ restored: unknown; undo: unknown }>(["restore", id, newId(), JSON.stringify(meta)]);
    return { restored: checkpointSchema.parse(result.restored), undo: checkpointSchema.parse(result.undo) };
  }

  /** Every checkpoint, oldest first, from the store's meta files (written only by checkpoint runs). */
  #metas(): Checkpoint[] {
    const dir = path.join(this.#workspace.dirs.checkpoints, "meta");
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => name.endsWith(".json"));
    } catch {
      return [];
    }
    const metas: Checkpoint[] = [];
    for (const name of names) {
      try {
        const { tree: _tree, ...meta } = JSON.parse(readFileSync(path.join(dir, name), "utf8")) as Record<string, unknown>;
        metas.push(checkpointSchema.parse(meta));
      } catch {
        // A meta file being replaced right now is read on the next listing.
      }
    }
    return metas.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  }

  /** Keeps the newest `keep` checkpoints of a thread; the objects only they used are removed in the background. */
  #prune(threadId: string | null, keep: number): void {
    const ofThread = this.#metas().filter((c) => c.threadId === threadId);
    const dropped = ofThread.slice(0, Math.max(0, ofThread.length - keep));
    if (dropped.length === 0) return;
    for (const c of dropped) unlinkSync(path.join(this.#workspace.dirs.checkpoints, "meta", `${c.id}.json`));
    this.#run(["gc"]).catch(() => {});
  }

  #run<T>(args: string[]): Promise<T> {
    const next = this.#queue.then(() => this.#runNow<T>(args));
    this.#queue = next.catch(() => {});
    return next;
  }

  async #runNow<T>(args: string[]): Promise<T> {
    const result = await this.#workspace.execIsolated({
      argv: ["/usr/bin/python3", "-S", SCRIPT_PATH, ...args],
      env: { PYTHONDONTWRITEBYTECODE: "1" },
      timeoutMs: TIMEOUT_MS,
      files: { [SCRIPT_PATH]: SCRIPT },
      binds: [{ source: this.#workspace.dirs.checkpoints, target: STORE_PATH }],
      // Platform work on the workspace's behalf: billed with background CPU time, not to any one command.
      billedLater: true,
    });
    const last = result.stdout.trim().split("\n").pop() ?? "";
    let answer: unknown;
    try {
      answer = JSON.parse(last);
    } catch {
      throw new HttpError(
        500,
        "checkpoint_failed",
        `checkpoint ${args[0]} failed: ${result.error?.message ?? result.stderr.trim().slice(-500)}`,
      );
    }
    const failure = (answer as { error?: { code: string; message: string } }).error;
    if (failure) throw new HttpError(statusByCode[failure.code] ?? 500, failure.code, failure.message);
    if (result.exitCode !== 0) throw new HttpError(500, "checkpoint_failed", `checkpoint ${args[0]} exited with ${result.exitCode}`);
    return answer as T;
  }
}

/** Time-ordered and unique: `ck-<ms since epoch, base 36>-<8 hex>`. */
function newId(): string {
  return `ck-${Date.now().toString(36)}-${randomBytes(4).toString("hex")}`;
}

function storeBytes(dir: string): number | null {
  const du = spawnSync("du", ["-s", "-B1", "-x", dir], { encoding: "utf8" });
  const bytes = Number.parseInt(du.stdout ?? "", 10);
  return du.status === 0 && Number.isFinite(bytes) ? bytes : null;
}
