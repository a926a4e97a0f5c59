// API benchmark: requests per second and CPU per request of the trivial route GET /api/health/live with 16 clients,
// beside the same route through Next.js (the same build with API_VIA_NEXT=1) and requests the Worker entry answers
// without route work, measured the same way in the same run; a CPU profile of those requests; and warm exec through POST /api/agent/:id/exec beside its two parts measured in the same run, interleaved: an
// authenticated trivial route (GET /api/me) and sandboxd's own warm exec.
import { randomBytes } from "node:crypto";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { signUpVerifiedUser, type TestUser } from "../scripts/lib/harness/users.ts";
import { startTestWorker, type TestWorker } from "../scripts/lib/harness/worker.ts";
import { ROOT } from "../scripts/lib/paths.ts";
import { LocalSandbox } from "../src/sandbox/local.ts";
import { profileWorker } from "./lib/cpu-profile.ts";
import { groupCpuMs, processGroupServing } from "./lib/process-cpu.ts";
import { startBenchSandboxd } from "./lib/sandboxd.ts";
import { formatMeasures, round, summarize, type Measure } from "./lib/stats.ts";

const PROFILE_PATH = join(ROOT, "bench", "out", "api-health-live.cpuprofile");

export interface ApiBenchOptions {
  durationMs?: number;
  concurrency?: number;
  execRuns?: number;
}

/** Runs `concurrency` loops of `op` until the deadline; returns requests per second and per-request latencies. */
async function throughput(durationMs: number, concurrency: number, op: () => Promise<void>) {
  const latencies: number[] = [];
  const deadline = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await op();
        latencies.push(performance.now() - t);
      }
    }),
  );
  return { perSecond: round((latencies.length * 1000) / (performance.now() - started)), latency: summarize(latencies) };
}

/** A GET that must answer `status`; the body is read to the end, as a client would. */
function getter(worker: TestWorker, path: string, status: number, headers?: Record<string, string>) {
  return async () => {
    const response = await worker.fetch(path, { headers });
    await response.arrayBuffer();
    if (response.status !== status) throw new Error(`GET ${path} answered ${response.status}, expected ${status}`);
  };
}

/** Requests per second with `concurrency` clients, and the Worker's CPU per request (its process group, from /proc). */
async function measure(worker: TestWorker, durationMs: number, concurrency: number, op: () => Promise<void>) {
  const pgid = processGroupServing(worker.port);
  await throughput(500, concurrency, op);
  const cpuBefore = groupCpuMs(pgid);
  const run = await throughput(durationMs, concurrency, op);
  const cpuMsPerRequest = round((groupCpuMs(pgid) - cpuBefore) / ((run.perSecond * durationMs) / 1000));
  return { ...run, cpuMsPerRequest };
}

async function benchTrivialRoute(durationMs: number, concurrency: number): Promise<Measure[]> {
  const worker = await startTestWorker();
  // The same build with /api/* sent through Next.js (OpenNext), as before the Worker had its own router.
  const viaNext = await startTestWorker({ vars: { API_VIA_NEXT: "1" } });
  try {
    const live = await measure(worker, durationMs, concurrency, getter(worker, "/api/health/live", 200));
    const liveNext = await measure(viaNext, durationMs, concurrency, getter(viaNext, "/api/health/live", 200));
    // The Worker entry's own answer (an unknown agent route: 404 JSON with the security headers), no route work.
    const entry = await measure(worker, durationMs, concurrency, getter(worker, "/ws/", 404));
    // Served from the static assets before the Worker's code runs: the ceiling of this client and wrangler dev.
    const asset = await measure(worker, durationMs, concurrency, getter(worker, "/favicon.ico", 200));
    const requests = 2000;
    const profile = await profileWorker(
      worker.inspectorPort,
      async () => {
        const op = getter(worker, "/api/health/live", 200);
        for (let i = 0; i < requests / concurrency; i++) await Promise.all(Array.from({ length: concurrency }, op));
      },
      PROFILE_PATH,
    );
    return [
      {
        name: `trivial API route GET /api/health/live, req/s with ${concurrency} clients`,
        unit: "ops/s",
        median: live.perSecond,
        target: ">= 1000 req/s",
        met: live.perSecond >= 1000,
        reference: { name: "same route through Next.js (API_VIA_NEXT=1)", median: liveNext.perSecond },
        note: `latency median ${live.latency.median} ms, p95 ${live.latency.p95} ms (through Next.js ${liveNext.latency.median} ms, ${liveNext.latency.p95} ms); in the same run the Worker entry's own 404 (GET /ws/) does ${entry.perSecond} req/s and a static asset (/favicon.ico, no Worker code) ${asset.perSecond} req/s, the ceiling of wrangler dev and this client here`,
      },
      {
        name: "trivial API route, CPU per request (workerd and wrangler, from /proc)",
        unit: "ms",
        median: live.cpuMsPerRequest,
        reference: { name: "same route through Next.js", median: liveNext.cpuMsPerRequest },
        note: `the Worker entry's own 404 ${entry.cpuMsPerRequest} ms, a static asset ${asset.cpuMsPerRequest} ms per request; CPU profile of ${requests} requests in the Worker's isolate: ${profile.totalMs - profile.idleMs} ms busy of ${profile.totalMs} ms (raw profile: ${relative(ROOT, PROFILE_PATH)}), most inclusive time: ${profile.inclusive
          .slice(0, 6)
          .map((f) => `${f.name} ${f.ms} ms`)
          .join("; ")}`,
      },
    ];
  } finally {
    await Promise.all([worker.dispose(), viaNext.dispose()]);
  }
}

async function firstAgent(worker: TestWorker, user: TestUser): Promise<string> {
  const response = await worker.fetch("/api/agent", { headers: user.headers() });
  return ((await response.json()) as { agents: { id: string }[] }).agents[0]!.id;
}

async function benchExec(runs: number): Promise<Measure[]> {
  const sandboxd = await startBenchSandboxd();
  const worker = await startTestWorker({ vars: { SANDBOXD_URL: sandboxd.url, SANDBOXD_SECRET: sandboxd.secret } });
  const direct = new LocalSandbox({ url: sandboxd.url, secret: sandboxd.secret });
  const directId = `bench-${randomBytes(3).toString("hex")}`;
  try {
    const user = await signUpVerifiedUser(worker.url);
    const agentId = await firstAgent(worker, user);
    const { accountId } = (await (await worker.fetch("/api/credits", { headers: user.headers() })).json()) as { accountId: string };
    await worker.fetch("/api/test/ledger", { method: "POST", body: JSON.stringify({ action: "grant", accountId, amount: 100_000_000 }) });
    const execHeaders = user.headers({ "content-type": "application/json" });
    const body = JSON.stringify({ command: "echo hi" });
    const viaApi = async () => {
      const response = await worker.fetch(`/api/agent/${agentId}/exec`, { method: "POST", headers: execHeaders, body });
      const result = (await response.json()) as { stdout?: string };
      if (response.status !== 200 || result.stdout !== "hi\n")
        throw new Error(`exec answered ${response.status} ${JSON.stringify(result)}`);
    };
    const me = getter(worker, "/api/me", 200, user.headers());
    const ws = await direct.workspace(directId);
    const viaSandboxd = async () => {
      const result = await ws.exec("echo hi");
      if (result.stdout !== "hi\n") throw new Error(`sandboxd exec gave ${JSON.stringify(result)}`);
    };
    const ops = { api: viaApi, me, sandboxd: viaSandboxd };
    const times: Record<keyof typeof ops, number[]> = { api: [], me: [], sandboxd: [] };
    for (let i = 0; i < 10; i++) for (const op of Object.values(ops)) await op();
    // Interleaved, so that a busy moment of the machine weighs on the three alike.
    for (let i = 0; i < runs; i++) {
      for (const [name, op] of Object.entries(ops) as [keyof typeof ops, () => Promise<void>][]) {
        const started = performance.now();
        await op();
        times[name].push(performance.now() - started);
      }
    }
    const [api, trivial, own] = [summarize(times.api), summarize(times.me), summarize(times.sandboxd)];
    const overhead = round(api.median - trivial.median - own.median);
    return [
      {
        name: "warm exec via POST /api/agent/:id/exec minus (authenticated trivial route + sandboxd's own warm exec)",
        unit: "ms",
        median: overhead,
        n: runs,
        target: "<= +5 ms",
        met: overhead <= 5,
        reference: { name: "GET /api/me + sandboxd warm exec", median: round(trivial.median + own.median) },
        note: `exec via the API median ${api.median} ms, p95 ${api.p95} ms; GET /api/me median ${trivial.median} ms; sandboxd's own warm exec median ${own.median} ms (echo hi, ${runs} of each, interleaved)`,
      },
    ];
  } finally {
    await direct.destroy(directId).catch(() => undefined);
    await worker.dispose();
    await sandboxd.stop();
  }
}

export async function benchApi(options: ApiBenchOptions = {}): Promise<Measure[]> {
  const trivial = await benchTrivialRoute(options.durationMs ?? 5000, options.concurrency ?? 16);
  return [...trivial, ...(await benchExec(options.execRuns ?? 100))];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  console.log(formatMeasures(await benchApi()));
}
