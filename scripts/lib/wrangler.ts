import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
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
  ];
  // Vars (secrets among them) go to the Worker through a private env file, never the command line, which every user
  // of the host can read in `ps`. A developer's own .dev.vars still applies, under these.
  const varsFile = writeVarsFile(options.vars ?? {});
  if (varsFile) {
    const devVars = join(ROOT, ".dev.vars");
    args.push(...(existsSync(devVars) ? ["--env-file", devVars] : []), "--env-file", varsFile.path);
  }
  const wrangler = spawnGroup(join(BIN, "wrangler"), args, { cwd: ROOT, env: toolEnv() });
  if (varsFile) void wrangler.exited.finally(varsFile.remove);
  return wrangler;
}

/** The value as dotenv reads it back: in quotes it does not contain (dotenv has no escapes but \n in double quotes). */
function dotenvValue(key: string, value: string): string {
  if (!/[\n\r]/.test(value)) {
    const quote = ["'", "`", '"'].find((q) => !value.includes(q));
    if (quote) return `${quote}${value}${quote}`;
  } else if (!value.includes('"') && !value.includes("\\n")) {
    return `"${value.replace(/\r?\n/g, "\\n")}"`;
  }
  throw new Error(`${key} cannot be passed to the Worker: its value mixes every kind of quote or a newline with a quote`);
}

/** Writes the vars to a file only this user can read, in a directory of its own; removed when wrangler exits. */
function writeVarsFile(vars: Record<string, string>): { path: string; remove(): void } | null {
  const entries = Object.entries(vars);
  if (entries.length === 0) return null;
  const dir = mkdtempSync(join(tmpdir(), "netm8-worker-vars-"));
  const path = join(dir, "worker.env");
  writeFileSync(path, entries.map(([key, value]) => `${key}=${dotenvValue(key, value)}\n`).join(""), { mode: 0o600 });
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
