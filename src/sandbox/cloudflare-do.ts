// The sandbox Durable Object and the SDK runtime for the Cloudflare backend; imported by the Worker entry only.
import { getSandbox, proxyToSandbox, Sandbox, type DirectoryBackup } from "@cloudflare/sandbox";
import { registerSandboxSdk, type SdkSandbox } from "./cloudflare.ts";

const BACKUP_KEY = "workspace-backup";
/** node_modules and build output come back with `npm install` / a build; leaving them out keeps backups small. */
const BACKUP_EXCLUDES = ["node_modules", ".next", "dist", ".cache"];
const BACKUP_TTL_SECONDS = 30 * 24 * 60 * 60;
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
  };
});
