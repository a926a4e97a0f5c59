import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { testWorkerConfig } from "../build.ts";
import { freePort, waitForHttp } from "../free-port.ts";
import { LogTail, type GroupProcess } from "../process-group.ts";
import { applyLocalMigrations, startWranglerDev } from "../wrangler.ts";

export interface TestWorker {
  url: string;
  port: number;
  persistTo: string;
  /** The DevTools inspector port of the Worker (CPU profiles in bench/). */
  inspectorPort: number;
  /** The process group of wrangler and its workerd (CPU time in bench/). */
  processGroup: number | undefined;
  /** The last lines wrangler printed (shown when a test fails to start it). */
  logs(): string[];
  /** A request to the Worker; `path` starts with '/'. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
  /** Graceful stop of wrangler and all its workerd children. */
  stop(): Promise<void>;
  /** SIGKILL of the whole process group, as a crash would. */
  kill(): Promise<void>;
  /** Starts the runtime again on the same port with the same local state. */
  restart(): Promise<void>;
  /** Stops the runtime and removes its local state (unless it was given). */
  dispose(): Promise<void>;
}

export interface TestWorkerOptions {
  vars?: Record<string, string>;
  persistTo?: string;
}

/**
 * Runs the real built Worker under `wrangler dev` (workerd with local D1, KV and Durable Objects) on a free port,
 * in its own process group, with its own state directory and the migrations applied. `npm test` builds first.
 */
export async function startTestWorker(options: TestWorkerOptions = {}): Promise<TestWorker> {
  const config = await testWorkerConfig();
  const ownsState = !options.persistTo;
  const persistTo = options.persistTo ?? mkdtempSync(join(tmpdir(), "netm8-worker-"));
  applyLocalMigrations(persistTo, config);
  let port = await freePort();
  let url = `http://127.0.0.1:${port}`;
  const tail = new LogTail(80);
  let current: GroupProcess | undefined;
  let inspectorPort = 0;

  const launch = async () => {
    inspectorPort = await freePort();
    const process_ = startWranglerDev({
      port,
      persistTo,
      config,
      inspectorPort,
      vars: { ENVIRONMENT: "test", APP_URL: url, ...options.vars },
    });
    process_.child.stdout?.on("data", (c: Buffer) => tail.push(c.toString()));
    process_.child.stderr?.on("data", (c: Buffer) => tail.push(c.toString()));
    current = process_;
    try {
      // Only our Worker's 200 counts, and a wrangler that could not bind its port is given up on at once.
      const alive = () => process_.child.exitCode === null && !tail.lines().some((line) => /Address already in use/.test(line));
      await waitForHttp(`${url}/api/health/live`, 90_000, alive, (r) => r.ok);
    } catch (error) {
      await process_.stop();
      throw new Error(`${(error as Error).message}\nwrangler said:\n${tail.lines().join("\n")}`);
    }
  };

  // A free port can be taken by another process between the check and wrangler's bind (test files start Workers
  // side by side): the first start then tries a fresh port. Restarts keep the port, since APP_URL names it.
  for (let attempt = 1; ; attempt++) {
    try {
      await launch();
      break;
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test((error as Error).message)) throw error;
      port = await freePort();
      url = `http://127.0.0.1:${port}`;
    }
  }
  return {
    url,
    port,
    persistTo,
    get inspectorPort() {
      return inspectorPort;
    },
    get processGroup() {
      return current?.child.pid;
    },
    logs: () => tail.lines(),
    fetch: (path, init) => fetch(`${url}${path}`, init),
    stop: async () => current?.stop(),
    kill: async () => current?.kill(),
    restart: launch,
    dispose: async () => {
      await current?.stop();
      if (ownsState) rmSync(persistTo, { recursive: true, force: true });
    },
  };
}
