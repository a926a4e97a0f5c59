import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT } from "../../scripts/lib/paths.ts";

export interface BenchSandboxd {
  url: string;
  secret: string;
  stop(): Promise<void>;
}

/** A real sandboxd on a free port with a fresh secret and data dir; it exits with this process (stdin pipe). */
export async function startBenchSandboxd(env: Record<string, string> = {}): Promise<BenchSandboxd> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "sandboxd-bench-"));
  const secret = randomBytes(24).toString("hex");
  const child: ChildProcess = spawn(
    path.join(ROOT, "node_modules/.bin/node"),
    [path.join(ROOT, "sandboxd/main.ts"), "--port", "0", "--exit-with-stdin"],
    {
      env: { ...process.env, ...env, SANDBOXD_SECRET: secret, SANDBOXD_DATA_DIR: dataDir },
      stdio: ["pipe", "ignore", "pipe"],
    },
  );
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
