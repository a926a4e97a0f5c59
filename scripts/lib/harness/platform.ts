import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "../free-port.ts";
import { BIN, ROOT, toolEnv } from "../paths.ts";
import { LogTail, spawnGroup, type GroupProcess } from "../process-group.ts";

export interface RunningPlatform {
  url: string;
  port: number;
  stateDir: string;
  supervisor: GroupProcess;
  /** The last lines npm start printed (sandboxd and wrangler included). */
  logs(): string[];
  /**
   * SIGTERM to npm start's process group (it stops its children, each in a process group of its own), waits for
   * those groups to end, then removes the temporary state. Says what npm start left behind, which it should not.
   */
  stop(): Promise<{ leftoverGroups: number; leftoverMounts: number }>;
}

/**
 * Runs `npm start` (scripts/start.ts: build if needed, migrations, sandboxd and wrangler dev under one supervisor)
 * as a child in its own process group, on a free port with a temporary STATE_DIR, and waits until it serves.
 * The app's URL is http://127.0.0.1:<port> (so Origin checks accept the harness's requests). `env` is passed to it (e.g. LLM_BASE_URL of a fake model server); npm start hands the Worker the variables
 * listed in scripts/lib/worker-vars.ts.
 */
export async function startPlatform(options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<RunningPlatform> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "netm8-platform-"));
  // sandboxd's data dir (<STATE_DIR>/sandboxd) must be reachable by the unprivileged sandbox user; mkdtemp makes 0700.
  chmodSync(stateDir, 0o711);
  const supervisor = spawnGroup(join(BIN, "node"), ["scripts/start.ts"], {
    cwd: ROOT,
    env: toolEnv({ APP_URL: `http://127.0.0.1:${port}`, ...options.env, PORT: String(port), STATE_DIR: stateDir }),
  });
  const tail = new LogTail(120);
  const supervised: string[] = [];
  let ready = false;
  const onData = (chunk: Buffer) => {
    for (const line of tail.push(chunk.toString())) {
      if (line.includes("is running at")) ready = true;
      if (line.includes("[supervisor] started")) supervised.push(line);
    }
  };
  supervisor.child.stdout!.on("data", onData);
  supervisor.child.stderr!.on("data", onData);
  const stop = async () => {
    const childGroups = [...supervised.join("\n").matchAll(/\[supervisor\] started \S+ \(pid (\d+)\)/g)].map((m) => Number(m[1]));
    await supervisor.stop(150_000);
    let leftoverGroups = 0;
    for (const pgid of childGroups) {
      if (await groupEnded(pgid, Date.now() + 30_000)) continue;
      leftoverGroups++;
      killGroup(pgid);
    }
    const leftoverMounts = unmountUnder(stateDir);
    try {
      rmSync(stateDir, { recursive: true, force: true });
    } catch (error) {
      console.warn(`could not remove ${stateDir}: ${(error as Error).message}`);
    }
    return { leftoverGroups, leftoverMounts };
  };
  // npm start may have to build first, which takes minutes on a busy machine.
  const deadline = Date.now() + (options.timeoutMs ?? 280_000);
  while (!ready) {
    if (Date.now() > deadline || supervisor.child.exitCode !== null) {
      await stop();
      throw new Error(`npm start did not come up:\n${tail.lines().join("\n")}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `http://127.0.0.1:${port}`, port, stateDir, supervisor, logs: () => tail.lines(), stop };
}

async function groupEnded(pgid: number, deadline: number): Promise<boolean> {
  while (Date.now() < deadline) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

/** Lazily unmounts whatever is still mounted under `dir` (sandboxd's workspace disks and network namespaces). */
function unmountUnder(dir: string): number {
  if (!existsSync("/proc/mounts")) return 0;
  const mounts = readFileSync("/proc/mounts", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[1] ?? "")
    .filter((mountPoint) => mountPoint.startsWith(`${dir}/`))
    .sort()
    .reverse();
  for (const mountPoint of mounts) spawnSync("umount", ["--lazy", mountPoint]);
  return mounts.length;
}
