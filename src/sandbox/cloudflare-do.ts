// The sandbox Durable Object and the SDK runtime for the Cloudflare backend; imported by the Worker entry only.
import { getSandbox, proxyTerminal, proxyToSandbox, Sandbox, type DirectoryBackup } from "@cloudflare/sandbox";
import { registerSandboxSdk, type SdkSandbox } from "./cloudflare.ts";
import type { Checkpoint, CreateCheckpointOptions, RestoreResult } from "./types.ts";

const BACKUP_KEY = "workspace-backup";
/** node_modules and build output come back with `npm install` / a build; leaving them out keeps backups small. */
const BACKUP_EXCLUDES = ["node_modules", ".next", "dist", ".cache"];
const BACKUP_TTL_SECONDS = 30 * 24 * 60 * 60;
const CHECKPOINT_PREFIX = "checkpoint:";
/** Checkpoints kept per thread, as sandboxd keeps them (its DEFAULT_KEEP). */
const CHECKPOINTS_KEPT = 20;
const COUNT_FILES = `find /workspace \\( ${BACKUP_EXCLUDES.map((n) => `-name ${n}`).join(" -o ")} \\) -prune -o -type f -printf '%s\\n' | awk '{n++; s+=$1} END {print n+0, s+0}'`;

type StoredCheckpoint = { checkpoint: Checkpoint; backup: DirectoryBackup };
/** Idle time before the container sleeps (and /workspace is backed up). */
export const SLEEP_AFTER = "30m";

/**
 * One workspace's container. Before it sleeps, /workspace is backed up to R2 (BACKUP_BUCKET) and the backup's
 * handle kept in this object's own storage; the next container gets it back through restoreWorkspace().
 */
export class WorkspaceSandbox extends Sandbox {
  override async onActivityExpired(): Promise<void> {
    await this.backupWorkspace().catch((error: unknown) => console.error("workspace backup failed", error));
    await super.onActivityExpired();
  }

  async backupWorkspace(): Promise<DirectoryBackup> {
    const backup = await this.createBackup({ dir: "/workspace", excludes: BACKUP_EXCLUDES, ttl: BACKUP_TTL_SECONDS });
    await this.ctx.storage.put(BACKUP_KEY, backup);
    return backup;
  }

  /**
   * A checkpoint is a backup of /workspace (without BACKUP_EXCLUDES) in R2, its handle in this object's storage. Unlike
   * sandboxd's store, a restore replaces the whole directory: `.git` goes back too, and the excluded directories are
   * gone until rebuilt (`npm install`).
   */
  async createCheckpoint(options: CreateCheckpointOptions & { restoring?: string }): Promise<Checkpoint> {
    const id = `ck-${Date.now().toString(36)}-${crypto.randomUUID().slice(0, 8)}`;
    const backup = await this.createBackup({ dir: "/workspace", name: id, excludes: BACKUP_EXCLUDES, ttl: BACKUP_TTL_SECONDS });
    const counted = await this.exec(COUNT_FILES).catch(() => null);
    const [files, bytes] = (counted?.stdout ?? "0 0").trim().split(" ").map(Number);
    const checkpoint: Checkpoint = {
      id,
      createdAt: new Date().toISOString(),
      kind: options.kind ?? "manual",
      threadId: options.threadId ?? null,
      messageId: options.messageId ?? null,
      ...(options.restoring && { restoring: options.restoring }),
      files: files || 0,
      bytes: bytes || 0,
    };
    await this.ctx.storage.put(`${CHECKPOINT_PREFIX}${id}`, { checkpoint, backup } satisfies StoredCheckpoint);
    const ofThread = (await this.listCheckpoints()).filter((c) => c.threadId === checkpoint.threadId);
    const dropped = ofThread.slice(options.keep ?? CHECKPOINTS_KEPT).map((c) => `${CHECKPOINT_PREFIX}${c.id}`);
    if (dropped.length > 0) await this.ctx.storage.delete(dropped);
    return checkpoint;
  }

  /** Newest first. */
  async listCheckpoints(): Promise<Checkpoint[]> {
    const stored = await this.ctx.storage.list<StoredCheckpoint>({ prefix: CHECKPOINT_PREFIX });
    return [...stored.values()].map((s) => s.checkpoint).sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
  }

  async restoreCheckpoint(id: string): Promise<RestoreResult> {
    const target = await this.ctx.storage.get<StoredCheckpoint>(`${CHECKPOINT_PREFIX}${id}`);
    if (!target) throw new Error(`no checkpoint ${id} in this workspace`);
    const { threadId, messageId } = target.checkpoint;
    const undo = await this.createCheckpoint({
      kind: "before-restore",
      threadId: threadId ?? undefined,
      messageId: messageId ?? undefined,
      restoring: id,
    });
    await this.restoreBackup(target.backup);
    return { restored: target.checkpoint, undo };
  }

  async restoreWorkspace(): Promise<{ restored: boolean }> {
    const backup = await this.ctx.storage.get<DirectoryBackup>(BACKUP_KEY);
    if (!backup) return { restored: false };
    await this.restoreBackup(backup);
    return { restored: true };
  }
}

registerSandboxSdk((env) => {
  const namespace = (env as { Sandbox?: DurableObjectNamespace<WorkspaceSandbox> }).Sandbox;
  if (!namespace) return null;
  return {
    getSandbox: (id) => getSandbox(namespace, id, { normalizeId: true, sleepAfter: SLEEP_AFTER }) as unknown as SdkSandbox,
    proxyToSandbox: (request) => proxyToSandbox(request, { Sandbox: namespace as unknown as DurableObjectNamespace<Sandbox> }),
    proxyTerminal: (sandbox, sessionId, request, size) =>
      proxyTerminal(sandbox as unknown as { fetch: (request: Request) => Promise<Response> }, sessionId, request, size),
  };
});
