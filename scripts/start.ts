// `npm start`: build if needed, apply local migrations, then run sandboxd and `wrangler dev` under one supervisor.
// Ctrl-C stops everything; if a child dies, the rest are stopped and we exit non-zero with its last log lines.
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { buildIfNeeded } from "./lib/build.ts";
import { freePort, waitForHttp } from "./lib/free-port.ts";
import { ROOT, toolEnv } from "./lib/paths.ts";
import { LogTail, spawnGroup, type GroupProcess } from "./lib/process-group.ts";
import { applyLocalMigrations, startWranglerDev } from "./lib/wrangler.ts";
import { RUNTIME_PACKAGES } from "./lib/system-needs.ts";
import { developmentSecrets } from "./lib/dev-secrets.ts";
import { workerVarsFromEnv } from "./lib/worker-vars.ts";

interface Supervised {
  name: string;
  process: GroupProcess;
  tail: LogTail;
  /** How long it may take to stop after SIGTERM before it is killed. */
  stopGraceMs?: number;
}

const port = Number(process.env.PORT ?? 8787);
const host = process.env.HOST ?? "127.0.0.1";
// STATE_DIR keeps all local state in one place (tests use a temporary one); by default wrangler's .wrangler/state
// and .data/sandboxd.
const stateDir = process.env.STATE_DIR;
const persistTo = stateDir ? join(stateDir, "wrangler") : undefined;
const sandboxDataDir = stateDir ? join(stateDir, "sandboxd") : join(ROOT, ".data", "sandboxd");
const children: Supervised[] = [];
let stopping = false;

function supervise(name: string, process_: GroupProcess, stopGraceMs?: number): Supervised {
  const tail = new LogTail();
  const prefix = `[${name}] `;
  const print = (chunk: Buffer) => {
    for (const line of tail.push(chunk.toString()))
      if (line.trim()) console.log(prefix + (line.startsWith(prefix) ? line.slice(prefix.length) : line));
  };
  process_.child.stdout?.on("data", print);
  process_.child.stderr?.on("data", print);
  console.log(`[supervisor] started ${name} (pid ${process_.pid})`);
  const entry = { name, process: process_, tail, stopGraceMs };
  children.push(entry);
  process_.exited.then((code) => {
    if (stopping) return;
    console.error(
      `\n${name} exited unexpectedly (code ${code}). Its last lines:\n${tail
        .lines()
        .map((l) => `  ${l}`)
        .join("\n")}`,
    );
    void shutdown(1);
  });
  return entry;
}

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log("Stopping...");
    await Promise.all(children.map((c) => c.process.stop(c.stopGraceMs)));
  }
  process.exit(code);
}

process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

async function main(): Promise<void> {
  if (process.getuid?.() === 0 && existsSync(join(ROOT, "scripts", "system-packages.ts"))) {
    const { ensureSystemPackages } = await import("./system-packages.ts");
    ensureSystemPackages(RUNTIME_PACKAGES);
  }
  buildIfNeeded();
  console.log(`migrations: applying to the local D1 database (${persistTo ?? ".wrangler/state"})`);
  applyLocalMigrations(persistTo);

  // Random per state directory unless the environment names its own (scripts/lib/dev-secrets.ts).
  const secrets = developmentSecrets(join(stateDir ?? join(ROOT, ".wrangler", "state"), "dev-secrets.json"));
  const vars: Record<string, string> = {
    ...secrets,
    ...workerVarsFromEnv(process.env),
    APP_URL: process.env.APP_URL ?? `http://localhost:${port}`,
  };
  // The dev mailbox shows every user's sign-in links: readable only while nothing but this host can connect.
  const loopback = ["127.0.0.1", "localhost", "::1"].includes(host);
  vars.DEV_MAILBOX = process.env.DEV_MAILBOX ?? (loopback ? "on" : "off");
  console.log(
    vars.DEV_MAILBOX === "on"
      ? "mailbox: emails are kept locally and shown at /dev/mailbox"
      : `mailbox: /dev/mailbox is off because HOST=${host} is reachable from other machines (set DEV_MAILBOX=on to show it anyway)`,
  );

  const sandboxPort = await freePort();
  const secret = randomBytes(32).toString("hex");
  const sandboxd = spawnGroup(
    join(ROOT, "node_modules", ".bin", "node"),
    ["sandboxd/main.ts", "--port", String(sandboxPort), "--data-dir", sandboxDataDir, "--exit-with-stdin"],
    {
      cwd: ROOT,
      // sandboxd exits when this pipe closes, so it never outlives the supervisor, even after a SIGKILL.
      stdio: ["pipe", "pipe", "pipe"],
      // The secret travels in the environment, not in arguments that every local user can read with ps.
      env: toolEnv({ SANDBOXD_SECRET: secret }),
    },
  );
  // sandboxd unmounts every workspace's disk and network namespace as it stops (hundreds after a load test, some
  // seconds); killed before it finishes, it would leave those mounts and its pasta processes behind.
  supervise("sandboxd", sandboxd, 120_000);
  await waitForHttp(`http://127.0.0.1:${sandboxPort}/`, 20_000, () => sandboxd.child.exitCode === null);
  Object.assign(vars, { SANDBOXD_URL: `http://127.0.0.1:${sandboxPort}`, SANDBOXD_SECRET: secret });

  const worker = startWranglerDev({ port, ip: host, vars, persistTo, inspectorPort: await freePort() });
  supervise("worker", worker);
  await waitForHttp(
    `http://127.0.0.1:${port}/api/health/live`,
    60_000,
    () => worker.child.exitCode === null,
    (r) => r.ok,
  );
  console.log(`\nnetM8 is running at http://localhost:${port}  (Ctrl-C to stop)\n`);

  // wrangler dev does not fire cron triggers by itself; fire the scheduled handler as the cron would.
  const tick = setInterval(() => {
    fetch(`http://127.0.0.1:${port}/cdn-cgi/local/scheduled?cron=${encodeURIComponent("*/5 * * * *")}`).catch(() => {});
  }, 5 * 60_000);
  tick.unref();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  void shutdown(1);
});
