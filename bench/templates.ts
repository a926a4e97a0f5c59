// Template benchmark: from "apply template" to the app live in its preview (the page and its main component served
// by the dev server) for each starter, through a real sandboxd into a workspace that is already in use, beside a
// reference measured in the same run: the same starter's dev server started on the host from a directory whose
// packages are already installed (hard links to the same store) and the CPU a workspace gets (one core by default),
// until the same two answers come.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DEFAULT_DEPS_ROOT, TemplateDepsStore } from "../sandboxd/template-deps.ts";
import { applyTemplate, filesForPort, type TemplateEvent } from "../src/lib/templates/apply.ts";
import { TEMPLATE_NAMES, type TemplateName, templateFiles } from "../src/lib/templates/catalog.ts";
import { LocalSandbox } from "../src/sandbox/local.ts";
import { defaultLimits, type Workspace } from "../src/sandbox/types.ts";
import { startBenchSandboxd } from "./lib/sandboxd.ts";
import { summarize } from "./lib/stats.ts";

export type TemplateStat = {
  template: TemplateName;
  runs: number;
  medianMs: number;
  p95Ms: number;
  /** The host dev server from an installed directory, same run. */
  referenceMs: number;
  /** Median time from apply to the dev server's process being started (copy, dependencies, port). */
  startedMs: number;
  /** With `baseline`: one apply that installs from npm as before the shared store, same run. */
  npmInstallMs?: number;
};

/** What the app's page and its main component must contain once live: the dev server's own answers. */
const LIVE: Record<TemplateName, { page: string; component: string; mark: string }> = {
  nextjs: { page: "/", component: "/", mark: "Hello from Next.js" },
  "react-vite": { page: "/", component: "/src/App.jsx", mark: "Hello from React" },
  "vue-vite": { page: "/", component: "/src/App.vue", mark: "Hello from Vue" },
};
const LIVE_TIMEOUT_MS = 180_000;

async function untilLive(template: TemplateName, fetchPath: (p: string) => Promise<Response>): Promise<void> {
  const { page, component, mark } = LIVE[template];
  const deadline = Date.now() + LIVE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const first = await fetchPath(page);
      const text = await first.text();
      if (first.status === 200) {
        const main = page === component ? text : await (await fetchPath(component)).text();
        if (main.includes(mark)) return;
      }
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${template} was not live within ${LIVE_TIMEOUT_MS} ms`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/**
 * A cgroup (v1) with the CPU a workspace gets by default, so that the reference runs with the same allowance; null
 * where there is none (then the reference may use every core).
 */
function cpuGroup(): { procs: string; remove: () => void } | null {
  const dir = `/sys/fs/cgroup/cpu/netm8-bench-${randomBytes(4).toString("hex")}`;
  try {
    mkdirSync(dir);
    writeFileSync(path.join(dir, "cpu.cfs_period_us"), "100000");
    writeFileSync(path.join(dir, "cpu.cfs_quota_us"), String(Math.round(defaultLimits.cpus * 100_000)));
  } catch {
    return null;
  }
  return {
    procs: path.join(dir, "cgroup.procs"),
    remove: () => {
      for (let i = 0; i < 100 && readFileSync(path.join(dir, "cgroup.procs"), "utf8").trim() !== ""; i++) spawnSync("sleep", ["0.05"]);
      rmdirSync(dir);
    },
  };
}

/** Reference: the starter on the host with its packages in place, `npm run dev` until the app is live. */
async function hostDevServer(template: TemplateName, nodeModules: string): Promise<number> {
  const dir = mkdtempSync(path.join(tmpdir(), `template-ref-${template}-`));
  const port = await freePort();
  try {
    for (const [file, content] of Object.entries(filesForPort(templateFiles(template), port))) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
    const copied = spawnSync("cp", ["-al", nodeModules, path.join(dir, "node_modules")]);
    if (copied.status !== 0) throw new Error(`cp -al failed: ${copied.stderr}`);
    // The sandbox's Node and npm, so both sides run the same dev server.
    const env = { PATH: "/usr/local/bin:/usr/bin:/bin", HOME: dir, LANG: "C.UTF-8" } as unknown as NodeJS.ProcessEnv;
    const group = cpuGroup();
    const started = performance.now();
    const script = `${group ? `echo $$ > ${group.procs} && ` : ""}exec /usr/bin/npm run dev`;
    const child: ChildProcess = spawn("/bin/sh", ["-c", script], { cwd: dir, detached: true, stdio: "ignore", env });
    try {
      await untilLive(template, (p) => fetch(`http://127.0.0.1:${port}${p}`));
      return performance.now() - started;
    } finally {
      if (child.pid) process.kill(-child.pid, "SIGKILL");
      group?.remove();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The workspace as a backend without the shared store sees it: apply falls back to `npm install`. */
function withoutSharedStore(ws: Workspace): Workspace {
  return new Proxy(ws, {
    get(target, key) {
      if (key === "provideTemplateDependencies") return async () => ({ provided: false, reason: "baseline" });
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Applies the template and waits until it is live in its preview; milliseconds from apply, and when the server started. */
async function applyUntilLive(client: LocalSandbox, ws: Workspace, template: TemplateName): Promise<{ liveMs: number; startedMs: number }> {
  const t0 = performance.now();
  let startedMs = Number.NaN;
  let ready: Extract<TemplateEvent, { type: "ready" }> | undefined;
  for await (const event of applyTemplate(ws, template, { previewSite: { appOrigin: "http://127.0.0.1:8787" } })) {
    if (event.type === "step" && event.step === "start" && event.status === "started") startedMs = performance.now() - t0;
    if (event.type === "step" && event.status === "failed") throw new Error(`${template}: ${JSON.stringify(event)}`);
    if (event.type === "ready") ready = event;
  }
  if (!ready?.url) throw new Error(`${template} was not applied`);
  const { url, port } = ready;
  const token = new URL(url).hostname.split(".")[0]!.split("-").pop()!;
  await untilLive(template, (p) => client.previewFetch(new Request(new URL(p, url)), { port, sandboxId: ws.id, token }));
  return { liveMs: performance.now() - t0, startedMs };
}

export async function benchTemplates(
  options: { runs?: number; templates?: readonly TemplateName[]; baseline?: boolean } = {},
): Promise<TemplateStat[]> {
  const runs = options.runs ?? 3;
  const stores = new TemplateDepsStore(process.env.SANDBOXD_DEPS_DIR ?? DEFAULT_DEPS_ROOT, (m) => console.error(m));
  const own = await startBenchSandboxd({ SANDBOXD_DEPS_WARM: "0" });
  const client = new LocalSandbox({ url: own.url, secret: own.secret });
  const prefix = `bench-tmpl-${randomBytes(3).toString("hex")}`;
  const stats: TemplateStat[] = [];
  try {
    for (const template of options.templates ?? TEMPLATE_NAMES) {
      // Installed once per machine, before anything is timed (the first apply on a new machine waits for it).
      const store = await stores.ensure(template);
      const samples: number[] = [];
      const startedAt: number[] = [];
      const references: number[] = [];
      for (let i = 0; i < runs; i++) {
        // Alternating with the reference, so both see the same load.
        references.push(await hostDevServer(template, store.nodeModules));
        const ws = await client.workspace(`${prefix}-${template}-${i}`);
        await ws.exec("true");
        const run = await applyUntilLive(client, ws, template);
        samples.push(run.liveMs);
        startedAt.push(run.startedMs);
        await ws.destroy();
      }
      let npmInstallMs: number | undefined;
      if (options.baseline) {
        const ws = await client.workspace(`${prefix}-${template}-npm`);
        await ws.exec("true");
        npmInstallMs = (await applyUntilLive(client, withoutSharedStore(ws), template)).liveMs;
        await ws.destroy();
      }
      const { median, p95, n } = summarize(samples);
      stats.push({
        template,
        runs: n,
        medianMs: median,
        p95Ms: p95,
        referenceMs: summarize(references).median,
        startedMs: summarize(startedAt).median,
        npmInstallMs,
      });
    }
    return stats;
  } finally {
    await own.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const wanted = process.argv.slice(2).filter((name): name is TemplateName => (TEMPLATE_NAMES as readonly string[]).includes(name));
  const stats = await benchTemplates({
    runs: Number(process.env.BENCH_RUNS ?? 3),
    templates: wanted.length ? wanted : undefined,
    baseline: process.argv.includes("--baseline"),
  });
  for (const s of stats) {
    console.log(
      `${s.template.padEnd(10)} apply -> live median ${s.medianMs.toFixed(0)} ms, p95 ${s.p95Ms.toFixed(0)} ms (n=${s.runs}); dev server started at ${s.startedMs.toFixed(0)} ms; reference (host dev server, installed, 1 CPU) ${s.referenceMs.toFixed(0)} ms${s.npmInstallMs === undefined ? "" : `; npm install instead of the store (before): ${s.npmInstallMs.toFixed(0)} ms`}`,
    );
  }
}
