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
  /** Where the raw bytes come from (esbuild's metafile, grouped by package or top folder), largest first. */
  parts: { name: string; bytes: number }[];
}

/** `node_modules/@scope/pkg/...` -> `@scope/pkg`, `node_modules/pkg/...` -> `pkg`, else the first two folders. */
function partOf(input: string): string {
  const modules = input.lastIndexOf("node_modules/");
  if (modules >= 0) {
    const [first, second] = input.slice(modules + "node_modules/".length).split("/");
    return first!.startsWith("@") ? `${first}/${second}` : first!;
  }
  if (input.includes(".open-next/server-functions/")) return "OpenNext server handler (Next.js runtime, pages and API routes, pre-bundled)";
  return input.split("/").slice(0, 2).join("/");
}

function bundleParts(metafilePath: string): { name: string; bytes: number }[] {
  const meta = JSON.parse(readFileSync(metafilePath, "utf8")) as {
    outputs: Record<string, { inputs: Record<string, { bytesInOutput: number }> }>;
  };
  const totals = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs))
      totals.set(partOf(input), (totals.get(partOf(input)) ?? 0) + bytesInOutput);
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** Bundles the Worker as `wrangler deploy` would (dry run, nothing uploaded) and measures it gzipped. */
export function measureBundle(env?: string): BundleSize {
  const outdir = mkdtempSync(join(tmpdir(), "netm8-bundle-"));
  // Beside the output, not in it: only the deployed modules are measured.
  const metafile = `${outdir}-meta.json`;
  try {
    const args = ["deploy", "--dry-run", "--outdir", outdir, "--metafile", metafile, ...(env ? ["--env", env] : [])];
    const result = spawnSync(join(BIN, "wrangler"), args, { cwd: ROOT, env: toolEnv({ CI: "true" }), encoding: "utf8" });
    if (result.status !== 0) throw new Error(`wrangler deploy --dry-run failed:\n${result.stdout}\n${result.stderr}`);
    const modules = readdirSync(outdir, { recursive: true, encoding: "utf8" })
      .map((name) => join(outdir, name))
      .filter((path) => statSync(path).isFile() && !path.endsWith(".map") && !path.endsWith("README.md"));
    const contents = Buffer.concat(modules.map((path) => readFileSync(path)));
    const parts = bundleParts(metafile);
    return { env: env ?? "default", rawBytes: contents.length, gzipBytes: gzipSync(contents, { level: 9 }).length, parts };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
    rmSync(metafile, { force: true });
  }
}

export function formatMiB(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}
