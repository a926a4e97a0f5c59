import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { spawnGroup, type GroupProcess } from "./process-group.ts";
import { BIN, ROOT, toolEnv } from "./paths.ts";

/** Applies the D1 migrations to the local database kept under `persistTo` (wrangler's default: .wrangler/state). */
export function applyLocalMigrations(persistTo?: string, config?: string): void {
  const args = [
    "d1",
    "migrations",
    "apply",
    "DB",
    "--local",
    ...(persistTo ? ["--persist-to", persistTo] : []),
    ...(config ? ["--config", config] : []),
  ];
  const result = spawnSync(join(BIN, "wrangler"), args, { cwd: ROOT, env: toolEnv({ CI: "true" }), encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`Applying local migrations failed:\n${result.stdout}\n${result.stderr}`);
  }
}

export interface WranglerDevOptions {
  port: number;
  ip?: string;
  persistTo?: string;
  vars?: Record<string, string>;
  inspectorPort?: number;
  /** Another wrangler config (a test snapshot); default wrangler.jsonc with live reload of src/. */
  config?: string;
}

/** Starts `wrangler dev` (the real workerd runtime with local D1, KV and Durable Objects) in its own process group. */
export function startWranglerDev(options: WranglerDevOptions): GroupProcess {
  const args = [
    "dev",
    "--port",
    String(options.port),
    "--ip",
    options.ip ?? "127.0.0.1",
    "--show-interactive-dev-session=false",
    "--live-reload=false",
    ...(options.inspectorPort ? ["--inspector-port", String(options.inspectorPort)] : []),
    ...(options.persistTo ? ["--persist-to", options.persistTo] : []),
    ...(options.config ? ["--config", options.config] : []),
    ...Object.entries(options.vars ?? {}).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
  ];
  return spawnGroup(join(BIN, "wrangler"), args, { cwd: ROOT, env: toolEnv() });
}
