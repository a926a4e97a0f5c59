import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { BIN, ROOT, toolEnv } from "./paths.ts";

export const FREE_PLAN_LIMIT_BYTES = 3 * 1024 * 1024;
export const PAID_PLAN_LIMIT_BYTES = 10 * 1024 * 1024;

export interface BundleSize {
  env: string;
  rawBytes: number;
  gzipBytes: number;
}

/** Bundles the Worker as `wrangler deploy` would (dry run, nothing uploaded) and measures it gzipped. */
export function measureBundle(env?: string): BundleSize {
  const outdir = mkdtempSync(join(tmpdir(), "netm8-bundle-"));
  try {
    const args = ["deploy", "--dry-run", "--outdir", outdir, ...(env ? ["--env", env] : [])];
    const result = spawnSync(join(BIN, "wrangler"), args, { cwd: ROOT, env: toolEnv({ CI: "true" }), encoding: "utf8" });
    if (result.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${result.stdout}\n${result.stderr}`);
    const modules = readdirSync(outdir, { recursive: true, encoding: "utf8" })
      .map((name) => join(outdir, name))
      .filter((path) => statSync(path).isFile() && !path.endsWith(".map") && !path.endsWith("README.md"));
    const contents = Buffer.concat(modules.map((path) => readFileSync(path)));
    return { env: env ?? "default", rawBytes: contents.length, gzipBytes: gzipSync(contents, { level: 9 }).length };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
