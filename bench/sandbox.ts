// Sandbox benchmark: cold start (new workspace to first `echo` done) and warm exec round trip through the
// LocalSandbox client, each beside references measured in the same run (a bare bubblewrap spawn, a trivial
// sandboxd request and, when given, the agent API's GET /api/health/live).
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { LocalSandbox } from "../src/sandbox/local.ts";
import { startBenchSandboxd } from "./lib/sandboxd.ts";
import { sample, summarize } from "./lib/stats.ts";

export type Stat = { name: string; runs: number; medianMs: number; p95Ms: number };

export type SandboxBenchOptions = {
  runs?: number;
  /** Use a running sandboxd instead of starting one. */
  sandboxd?: { url: string; secret: string };
  /** Base URL of the app, to measure GET /api/health/live as the trivial API request. */
  apiUrl?: string;
};

function stat(name: string, samples: number[]): Stat {
  const { median, p95, n } = summarize(samples);
  return { name, runs: n, medianMs: median, p95Ms: p95 };
}

function bareBwrap(): Promise<void> {
  const args = [
    "--ro-bind",
    "/usr",
    "/usr",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--symlink",
    "usr/bin",
    "/bin",
  ];
  args.push("--proc", "/proc", "--dev", "/dev", "--unshare-all", "--die-with-parent", "/bin/true");
  return new Promise((resolve, reject) => {
    const child = spawn("bwrap", args, { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`bwrap exited ${code}`))));
  });
}

export async function benchSandbox(options: SandboxBenchOptions = {}): Promise<Stat[]> {
  const runs = Math.max(50, options.runs ?? 50);
  const own = options.sandboxd ? null : await startBenchSandboxd();
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
    results.push(
      stat(
        "reference: trivial sandboxd request (GET /v1/status)",
        await sample(runs, () => fetch(`${target.url}/v1/status`, { headers }).then((r) => r.arrayBuffer())),
      ),
    );
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
  const lines = stats.map(
    (s) =>
      `${s.name.padEnd(width)}  median ${s.medianMs.toFixed(2).padStart(8)} ms  p95 ${s.p95Ms.toFixed(2).padStart(8)} ms  (n=${s.runs})`,
  );
  return lines.join("\n");
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const runs = Number(process.env.BENCH_RUNS ?? 50);
  const stats = await benchSandbox({ runs, apiUrl: process.env.BENCH_API_URL });
  console.log("sandbox benchmark (peers, median cold start: E2B ~450 ms, Daytona ~660 ms, Cloudflare Sandbox ~1.4 s)");
  console.log(formatStats(stats));
}
