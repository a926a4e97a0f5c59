import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { LocalSandbox } from "../../src/sandbox/local.ts";

const root = path.resolve(import.meta.dirname, "../..");
const node = path.join(root, "node_modules/.bin/node");

export type SandboxdProcess = {
  url: string;
  secret: string;
  port: number;
  pid: number;
  dataDir: string;
  client: LocalSandbox;
  /** Everything sandboxd printed so far. */
  output: () => string;
  /** SIGTERM and wait: sandboxd stops its workspaces and releases mounts. */
  stop: () => Promise<void>;
  /** SIGTERM to sandboxd's whole process group, as Ctrl-C in `npm start` does. */
  stopGroup: () => Promise<void>;
  /** SIGKILL, as in a crash: nothing is cleaned up by sandboxd itself. */
  crash: () => Promise<void>;
  closeStdin: () => void;
};

/**
 * Starts a real sandboxd on a free port with a fresh secret; reuses `dataDir` when given (restart tests), and `port`
 * and `secret` too (a restart that the Worker, configured with the old URL and secret, must find again).
 */
export async function startSandboxd(
  options: {
    dataDir?: string;
    uid?: number;
    port?: number;
    secret?: string;
    env?: Record<string, string>;
    /** Run sandboxd (and so pasta) in this network namespace file; the test reaches it through a unix socket bridge. */
    netns?: string;
  } = {},
): Promise<SandboxdProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), "sandboxd-test-"));
  if (options.uid !== undefined) chownSync(dataDir, options.uid, options.uid);
  const secret = options.secret ?? randomBytes(24).toString("hex");
  // --exit-with-stdin: if this test process dies without cleaning up, sandboxd still stops.
  const argv = [node, path.join(root, "sandboxd/main.ts"), "--port", String(options.port ?? 0), "--exit-with-stdin"];
  if (options.netns) argv.unshift("nsenter", `--net=${options.netns}`);
  const child = spawn(argv[0]!, argv.slice(1), {
    cwd: root,
    env: { ...process.env, ...options.env, SANDBOXD_SECRET: secret, SANDBOXD_DATA_DIR: dataDir },
    stdio: ["pipe", "pipe", "pipe"],
    detached: true,
    ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
  });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  // Generous: on a fresh machine the first start installs its Debian packages before it listens.
  const port = await waitFor(
    () => Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? 0) || null,
    110_000,
    () => {
      if (child.exitCode !== null) throw new Error(`sandboxd exited early:\n${output}`);
    },
  ).catch(async (error) => {
    await kill(child, exited);
    if (!options.dataDir) removeDataDir(dataDir);
    throw error;
  });
  const bridge = options.netns ? await bridgeInto(options.netns, port) : null;
  const url = bridge ? bridge.url : `http://127.0.0.1:${port}`;
  const stopBridge = () => bridge?.close();
  exited.then(stopBridge);
  return {
    url,
    secret,
    port,
    pid: child.pid!,
    dataDir,
    client: new LocalSandbox({ url, secret }),
    output: () => output,
    stop: async () => {
      child.kill("SIGTERM");
      const timer = setTimeout(() => kill(child, exited), 20_000);
      await exited;
      clearTimeout(timer);
    },
    stopGroup: async () => {
      process.kill(-child.pid!, "SIGTERM");
      const timer = setTimeout(() => kill(child, exited), 20_000);
      await exited;
      clearTimeout(timer);
    },
    crash: () => kill(child, exited),
    closeStdin: () => child.stdin!.end(),
  };
}

/**
 * Reaches a loopback port inside a network namespace: a forwarder in the namespace listens on a unix socket (paths
 * are not per namespace), and a server on this process's loopback forwards each connection to it.
 */
async function bridgeInto(netns: string, port: number): Promise<{ url: string; close: () => void }> {
  const dir = mkdtempSync(path.join(tmpdir(), "sandboxd-bridge-"));
  const socketPath = path.join(dir, "socket");
  const forwarder = `const net = require("node:net");
net.createServer((c) => { const u = net.connect(${port}, "127.0.0.1"); c.pipe(u).pipe(c); c.on("error", () => u.destroy()); u.on("error", () => c.destroy()); })
  .listen(${JSON.stringify(socketPath)}, () => console.log("ready"));
process.stdin.on("end", () => process.exit(0)).resume();`;
  const inside = spawn("nsenter", [`--net=${netns}`, node, "-e", forwarder], { stdio: ["pipe", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    inside.stdout!.once("data", () => resolve());
    inside.once("exit", (code) => reject(new Error(`the namespace forwarder exited (${code})`)));
  });
  const outside = createServer((c) => {
    const u = connect(socketPath);
    c.pipe(u).pipe(c);
    c.on("error", () => u.destroy());
    u.on("error", () => c.destroy());
  });
  await new Promise<void>((resolve) => outside.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(outside.address() as AddressInfo).port}`,
    close: () => {
      outside.close();
      inside.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function kill(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {}
  }
  await exited;
}

/** Removes a test data dir, first unmounting what a crashed sandboxd may have left mounted in it. */
export function removeDataDir(dataDir: string): void {
  const mounts = readFileSync("/proc/self/mountinfo", "utf8")
    .split("\n")
    .map((line) => line.split(" ")[4] ?? "")
    .filter((mountPoint) => mountPoint.startsWith(`${dataDir}/`))
    .sort((a, b) => b.length - a.length);
  for (const mountPoint of mounts) spawnSync("umount", ["--lazy", mountPoint]);
  rmSync(dataDir, { recursive: true, force: true });
}

/** Polls until `check` returns a value (not null/undefined/false) or the deadline passes. */
export async function waitFor<T>(
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 10_000,
  onPoll?: () => void,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    onPoll?.();
    const value = await check();
    if (value !== null && value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Host pids whose command line is `commandLine` or starts with it: how tests see sandboxed processes. */
export function hostPidsRunning(commandLine: string): number[] {
  return hostPids((cmdline) => cmdline === commandLine || cmdline.startsWith(`${commandLine} `));
}

/** Host pids whose command line mentions `text` anywhere, wrappers such as bwrap included. */
export function hostPidsMentioning(text: string): number[] {
  return hostPids((cmdline) => cmdline.includes(text));
}

function hostPids(matches: (cmdline: string) => boolean): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8").replace(/\0/g, " ").trim();
      if (matches(cmdline)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}

export const uniqueId = (prefix: string) => `${prefix}-${randomBytes(4).toString("hex")}`;

/**
 * Python source of an HTTP server for a workspace: it asks for Basic auth on 127.0.0.1:`port` and writes the
 * Authorization header it then receives to /workspace/`file` (a stand-in git remote or proxy that records credentials).
 */
export const authRecorderScript = (port: number, file: string) => `import http.server
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        auth = self.headers.get('Authorization')
        if auth:
            open('/workspace/${file}', 'w').write(auth)
            self.send_response(403)
        else:
            self.send_response(401)
            self.send_header('WWW-Authenticate', 'Basic realm="git"')
        self.end_headers()
    def log_message(self, *args): pass
http.server.HTTPServer(('127.0.0.1', ${port}), H).serve_forever()`;
