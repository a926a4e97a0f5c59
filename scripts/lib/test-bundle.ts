import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, ROOT, toolEnv } from "./paths.ts";

export const SNAPSHOTS = join(ROOT, ".open-next-snapshots");
const KEEP = 4;

/**
 * A frozen copy of one build for test Workers: the Worker bundled exactly as `wrangler deploy` bundles it, the
 * static assets, and a wrangler config that runs that bundle unbundled. A test Worker started from it never sees a
 * later rebuild or an edit under src/ (wrangler dev would otherwise live-reload them into a running test).
 */
export function snapshotConfigPath(hash: string): string {
  return join(SNAPSHOTS, hash, "wrangler.json");
}

export async function createSnapshot(hash: string): Promise<string> {
  const dir = join(SNAPSHOTS, hash);
  if (existsSync(join(dir, "wrangler.json"))) return join(dir, "wrangler.json");
  const staging = `${dir}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  const bundle = spawnSync(join(BIN, "wrangler"), ["deploy", "--dry-run", "--outdir", join(staging, "bundle")], {
    cwd: ROOT,
    env: toolEnv({ CI: "true" }),
    encoding: "utf8",
  });
  if (bundle.status !== 0) throw new Error(`Bundling the Worker for tests failed:\n${bundle.stdout}\n${bundle.stderr}`);
  cpSync(join(ROOT, ".open-next", "assets"), join(staging, "assets"), { recursive: true });
  const { experimental_readRawConfig } = await import("wrangler");
  const { rawConfig } = experimental_readRawConfig({ config: join(ROOT, "wrangler.jsonc") });
  const { env: _environments, $schema: _schema, ...local } = rawConfig as Record<string, unknown>;
  const config = {
    ...local,
    main: "bundle/worker.js",
    no_bundle: true,
    assets: { directory: "assets", binding: "ASSETS" },
    d1_databases: (local.d1_databases as { migrations_dir?: string }[]).map((db) => ({
      ...db,
      migrations_dir: join(ROOT, db.migrations_dir ?? "migrations"),
    })),
  };
  writeFileSync(join(staging, "wrangler.json"), JSON.stringify(config, null, 2));
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  pruneSnapshots();
  return join(dir, "wrangler.json");
}

/** Keeps the newest snapshots; older ones go (a running test keeps its files open, which Linux allows). */
function pruneSnapshots(): void {
  const entries = readdirSync(SNAPSHOTS)
    .map((name) => ({ name, time: statSync(join(SNAPSHOTS, name)).mtimeMs }))
    .sort((a, b) => b.time - a.time);
  for (const old of entries.slice(KEEP)) rmSync(join(SNAPSHOTS, old.name), { recursive: true, force: true });
}
