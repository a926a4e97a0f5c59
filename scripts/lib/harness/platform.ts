import { chmodSync, mkdtempSync, rmSync } from "node:fs";
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
  /** SIGTERM to npm start's process group (it stops its children), then removes the temporary state. */
  stop(): Promise<void>;
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
  const supervisor = spawnGroup(join(BIN, "node"), ["scripts/start.ts"], { cwd: ROOT, env: toolEnv({ APP_URL: `http://127.0.0.1:${port}`, ...options.env, PORT: String(port), STATE_DIR: stateDir }) });
  const tail = new LogTail(120);
  let ready = false;
  const onData = (chunk: Buffer) => {
    for (const line of tail.push(chunk.toString())) if (line.includes("is running at")) ready = true;
  };
  supervisor.child.stdout!.on("data", onData);
  supervisor.child.stderr!.on("data", onData);
  const stop = async () => {
    await supervisor.stop(30_000);
    rmSync(stateDir, { recursive: true, force: true });
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
