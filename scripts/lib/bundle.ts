import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { BIN, ROOT, toolEnv } from "./paths.ts";

/** Cloudflare's one Worker size limit, on every plan: 64 MiB uncompressed (the old 3/10 MiB gzipped limits are gone). */
export const WORKER_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

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

export interface StartupProfile {
  /** CPU time the isolate was busy while the Worker's modules were evaluated (the startup phase). */
  activeMs: number;
  profileWindowMs: number;
}

function parseStartup(output: string): StartupProfile {
  const active = /Active:\s*([\d.]+)\s*ms/.exec(output);
  const window = /Profile window:\s*([\d.]+)\s*ms/.exec(output);
  if (!active || !window) throw new Error(`wrangler check startup printed no profile:\n${output}`);
  return { activeMs: Number(active[1]), profileWindowMs: Number(window[1]) };
}

/**
 * Profiles the Worker's startup locally with `wrangler check startup` (workerd evaluates the deployed bundle under
 * the inspector). Startup CPU is what a cold request pays before the first line of the handler runs.
 */
export function measureStartup(outfile = join(tmpdir(), "netm8-startup.cpuprofile"), cwd = ROOT): StartupProfile {
  mkdirSync(dirname(outfile), { recursive: true });
  const result = spawnSync(join(BIN, "wrangler"), ["check", "startup", "--outfile", outfile], {
    cwd,
    env: toolEnv({ CI: "true" }),
    encoding: "utf8",
  });
  if (result.status !== 0) throw new Error(`wrangler check startup failed:\n${result.stdout}\n${result.stderr}`);
  return parseStartup(`${result.stdout}\n${result.stderr}`);
}

/** The same profile of a Worker that only answers "ok": the runtime's own floor, measured the same way. */
export function measureTrivialStartup(): StartupProfile {
  const dir = mkdtempSync(join(tmpdir(), "netm8-trivial-worker-"));
  try {
    writeFileSync(join(dir, "index.js"), 'export default { fetch() { return new Response("ok"); } };\n');
    writeFileSync(
      join(dir, "wrangler.json"),
      JSON.stringify({ name: "trivial", main: "index.js", compatibility_date: "2026-11-17", compatibility_flags: ["nodejs_compat"] }),
    );
    return measureStartup(join(dir, "startup.cpuprofile"), dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
