// Checkpoint benchmark: checkpoint and restore time of a workspace holding a generated 200 MB node_modules (no
// network), each beside references measured on the same tree in the same run: a walk that stats every file (what
// any change detection without a file watcher costs) and `cp -a` of node_modules (a full copy).
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import { LocalSandbox } from "../src/sandbox/local.ts";
import type { Workspace } from "../src/sandbox/types.ts";
import { startBenchSandboxd } from "./lib/sandboxd.ts";
import { type Measure, round, sample, summarize } from "./lib/stats.ts";

/**
 * 1000 packages of 20 files of ~10 KiB: ~200 MB in 20,000 files, like a mid-sized app's node_modules; beside it the
 * project's own files: 50 sources and 50 MB of assets in 500 files.
 */
const FIXTURE = `
import os
for p in range(1000):
    d = f"node_modules/pkg-{p}/lib"
    os.makedirs(d, exist_ok=True)
    with open(f"node_modules/pkg-{p}/package.json", "w") as f:
        f.write('{"name": "pkg-%d", "version": "1.0.%d", "main": "lib/index.js"}\\n' % (p, p))
    for i in range(19):
        with open(f"{d}/m{i}.js", "wb") as f:
            f.write((f"module.exports.f{i} = (x) => x + {p * 100 + i};\\n").encode() * 230)
os.makedirs("assets", exist_ok=True)
for i in range(500):
    with open(f"assets/data{i}.bin", "wb") as f:
        f.write(bytes([i % 256]) * 100_000)
os.makedirs("src", exist_ok=True)
for i in range(50):
    with open(f"src/file{i}.ts", "w") as f:
        f.write(f"export const value{i} = {i};\\n" * 40)
`;

async function execOk(ws: Workspace, command: string, timeoutMs = 600_000): Promise<number> {
  const result = await ws.exec(command, { timeoutMs });
  if (result.exitCode !== 0) throw new Error(`${command} failed: ${result.stderr}`);
  return result.durationMs;
}

export async function benchCheckpoints(options: { runs?: number } = {}): Promise<Measure[]> {
  const runs = options.runs ?? 15;
  const sandboxd = await startBenchSandboxd();
  const client = new LocalSandbox({ url: sandboxd.url, secret: sandboxd.secret });
  try {
    const ws = await client.workspace(`bench-ckpt-${randomBytes(3).toString("hex")}`, { limits: { diskMiB: 3072, timeoutMs: 600_000 } });
    const generate = await ws.exec(["python3", "-c", FIXTURE], { timeoutMs: 600_000 });
    if (generate.exitCode !== 0) throw new Error(`fixture failed: ${generate.stderr}`);
    const size = (await ws.exec("du -sm node_modules | cut -f1 && find node_modules -type f | wc -l")).stdout.trim().split("\n");

    const firstStarted = performance.now();
    await ws.createCheckpoint({ threadId: "bench" });
    const first = performance.now() - firstStarted;

    // A turn's typical change: one source file edited, then the checkpoint before the next turn.
    const checkpointOnly: number[] = [];
    for (let i = 0; i < runs; i++) {
      await ws.writeFile("src/file2.ts", `export const value2 = ${i};\n`);
      const started = performance.now();
      await ws.createCheckpoint({ threadId: "bench", keep: 200 });
      checkpointOnly.push(performance.now() - started);
    }
    const walk = await sample(runs, () => execOk(ws, "find . -printf '%s %T@ %i\\n' > /dev/null"));

    // Restore after a turn that edited and deleted a few files and added one.
    const base = await ws.createCheckpoint({ threadId: "bench", keep: 200 });
    const restoreSmall: number[] = [];
    for (let i = 0; i < runs; i++) {
      await execOk(ws, `echo changed-${i} > src/file3.ts && rm -f src/file4.ts && echo x > added-${i}.txt`);
      const started = performance.now();
      await ws.restoreCheckpoint(base.id);
      restoreSmall.push(performance.now() - started);
    }
    // A larger undo: the project's 50 MB of assets deleted, all written back (node_modules is not checkpointed).
    const restoreAll: number[] = [];
    const copy: number[] = [];
    for (let i = 0; i < Math.min(runs, 5); i++) {
      copy.push(await execOk(ws, "cp -a assets /tmp/assets-copy && rm -rf /tmp/assets-copy"));
      await execOk(ws, "rm -rf assets");
      const started = performance.now();
      await ws.restoreCheckpoint(base.id);
      restoreAll.push(performance.now() - started);
    }
    const after = await ws.exec("find node_modules -type f | wc -l && find assets -type f | wc -l");
    if (after.stdout !== `${size[1]}\n500\n`) throw new Error(`restore lost files: ${after.stdout}`);
    const list = await ws.listCheckpoints();

    const s = (samples: number[]) => summarize(samples);
    const walkRef = { name: "stat walk of the same tree (find -printf)", median: s(walk).median };
    const copyRef = { name: "cp -a of the 50 MB assets", median: s(copy).median };
    const fixture = `${size[0]} MB node_modules, ${size[1]} files; store ${Math.round((list.storeBytes ?? 0) / 1024 / 1024)} MiB after ${list.checkpoints.length} checkpoints`;
    return [
      {
        name: "checkpoint: first, 200 MB node_modules",
        unit: "ms",
        median: round(first),
        n: 1,
        reference: walkRef,
        note: `${fixture}; node_modules, .git and build caches are not checkpointed (README: Checkpoints)`,
      },
      {
        name: "checkpoint after a one-file edit, 200 MB node_modules",
        unit: "ms",
        ...stats(checkpointOnly),
        target: "median < 300 ms",
        met: s(checkpointOnly).median < 300,
        reference: walkRef,
      },
      {
        name: "restore after a turn's edits (3 files)",
        unit: "ms",
        ...stats(restoreSmall),
        target: "median < 2 s",
        met: s(restoreSmall).median < 2000,
        reference: walkRef,
      },
      {
        name: "restore of 50 MB of deleted assets (500 files)",
        unit: "ms",
        ...stats(restoreAll),
        target: "median < 2 s",
        met: s(restoreAll).median < 2000,
        reference: copyRef,
      },
    ];
  } finally {
    await sandboxd.stop();
  }
}

function stats(samples: number[]): { median: number; p95: number; n: number } {
  const { median, p95, n } = summarize(samples);
  return { median, p95, n };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  for (const m of await benchCheckpoints({ runs: Number(process.env.BENCH_RUNS ?? 15) })) {
    console.log(
      `${m.name}: median ${m.median} ms${m.p95 ? `, p95 ${m.p95} ms` : ""} (n=${m.n}); ${m.reference?.name} ${m.reference?.median} ms`,
    );
  }
}
