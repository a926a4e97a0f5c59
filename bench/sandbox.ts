// Sandbox benchmark: cold start (new workspace to first `echo` done) and warm exec round trip through the
// LocalSandbox client, each beside references measured in the same run (a bare bubblewrap spawn, a trivial
// sandboxd request and, when given, the agent API's GET /api/health/live).
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { LocalSandbox } from "../src/sandbox/local.ts";

export type Stat = { name: string; runs: number; medianMs: number; p95Ms: number };

export type SandboxBenchOptions = {
  runs?: number;
  /** Use a running sandboxd instead of starting one. */
  sandboxd?: { url: string; secret: string };
  /** Base URL of the app, to measure GET /api/health/live as the trivial API request. */
  apiUrl?: string;
};

const root = path.resolve(import.meta.dirname, "..");

function stat(name: string, samples: number[]): Stat {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  return { name, runs: samples.length, medianMs: round(at(0.5)), p95Ms: round(at(0.95)) };
}

const round = (ms: number) => Math.round(ms * 100) / 100;

async function sample(runs: number, run: (i: number) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await run(i);
    samples.push(performance.now() - started);
  }
  return samples;
}

function bareBwrap(): Promise<void> {
  const args = ["--ro-bind", "/usr", "/usr", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/bin", "/bin"];
  args.push("--proc", "/proc", "--dev", "/dev", "--unshare-all", "--die-with-parent", "/bin/true");
  return new Promise((resolve, reject) => {
    const child = spawn("bwrap", args, { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`bwrap exited ${code}`))));
  });
}

async function startOwnSandboxd(): Promise<{ url: string; secret: string; stop: () => Promise<void> }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "sandboxd-bench-"));
  const secret = randomBytes(24).toString("hex");
  const child: ChildProcess = spawn(path.join(root, "node_modules/.bin/node"), [path.join(root, "sandboxd/main.ts"), "--port", "0", "--exit-with-stdin"], {
    env: { ...process.env, SANDBOXD_SECRET: secret, SANDBOXD_DATA_DIR: dataDir },
    stdio: ["pipe", "ignore", "pipe"],
  });
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr!.on("data", (chunk) => {
      output += chunk;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) resolve(Number(match[1]));
    });
    child.on("exit", () => reject(new Error(`sandboxd exited:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    secret,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
      const mounted = readFileSync("/proc/self/mountinfo", "utf8").includes(`${dataDir}/`);
      if (!mounted) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function benchSandbox(options: SandboxBenchOptions = {}): Promise<Stat[]> {
  const runs = Math.max(50, options.runs ?? 50);
  const own = options.sandboxd ? null : await startOwnSandboxd();
  const target = options.sandboxd ?? own!;
  const client = new LocalSandbox({ url: target.url, secret: target.secret });
  const prefix = `bench-${randomBytes(3).toString("hex")}`;
  try {
    const results: Stat[] = [];
    await bareBwrap();
    results.push(stat("reference: bare bwrap /bin/true spawn", await sample(runs, () => bareBwrap())));

    const cold = await sample(runs, async (i) => {
      const ws = await client.workspace(`${prefix}-cold-${i}`);
      const result = await ws.exec("echo hi");
      if (result.stdout !== "hi\n") throw new Error(`unexpected output: ${JSON.stringify(result)}`);
    });
    results.push(stat("cold start: new workspace -> first echo", cold));
    for (let i = 0; i < runs; i++) await client.destroy(`${prefix}-cold-${i}`);

    const ws = await client.workspace(`${prefix}-warm`);
    await ws.exec("true");
    const headers = { authorization: `Bearer ${target.secret}` };
    await fetch(`${target.url}/v1/status`, { headers }).then((r) => r.arrayBuffer());
    results.push(stat("reference: trivial sandboxd request (GET /v1/status)", await sample(runs, () => fetch(`${target.url}/v1/status`, { headers }).then((r) => r.arrayBuffer()))));
    if (options.apiUrl) {
      const live = `${options.apiUrl.replace(/\/+$/, "")}/api/health/live`;
      await fetch(live).then((r) => r.arrayBuffer());
      results.push(stat("reference: GET /api/health/live", await sample(runs, () => fetch(live).then((r) => r.arrayBuffer()))));
    }
    results.push(stat("warm exec round trip: echo", await sample(runs, () => ws.exec("echo hi"))));
    await ws.destroy();
    return results;
  } finally {
    await own?.stop();
  }
}

export function formatStats(stats: Stat[]): string {
  const width = Math.max(...stats.map((s) => s.name.length));
  const lines = stats.map((s) => `${s.name.padEnd(width)}  median ${s.medianMs.toFixed(2).padStart(8)} ms  p95 ${s.p95Ms.toFixed(2).padStart(8)} ms  (n=${s.runs})`);
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const runs = Number(process.env.BENCH_RUNS ?? 50);
  const stats = await benchSandbox({ runs, apiUrl: process.env.BENCH_API_URL });
  console.log("sandbox benchmark (peers, median cold start: E2B ~450 ms, Daytona ~660 ms, Cloudflare Sandbox ~1.4 s)");
  console.log(formatStats(stats));
}
