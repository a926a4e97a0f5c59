import { readFileSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ExecEvent, Workspace } from "../../../src/sandbox/types.ts";
import {
  hostPidsMentioning,
  hostPidsRunning,
  removeDataDir,
  type SandboxdProcess,
  startSandboxd,
  uniqueId,
  waitFor,
} from "../../support/sandboxd.ts";

let sandboxd: SandboxdProcess;
let ws: Workspace;

beforeAll(async () => {
  sandboxd = await startSandboxd();
  ws = await sandboxd.client.workspace(uniqueId("ops"));
});

afterAll(async () => {
  await sandboxd?.stop();
  if (sandboxd) removeDataDir(sandboxd.dataDir);
});

describe("sandboxd status", () => {
  it("reports every protection as enabled when it runs as root", async () => {
    const status = await sandboxd.client.status();
    expect(status.root).toBe(process.getuid?.() === 0);
    if (status.root) expect(status.missing).toEqual([]);
    expect(sandboxd.output()).toMatch(/all protections on|missing protections/);
  });
});

describe("exec", () => {
  it("returns exit code, stdout, stderr and duration of a shell command", async () => {
    const result = await ws.exec("echo out; echo err >&2; exit 3");
    expect(result).toMatchObject({ exitCode: 3, stdout: "out\n", stderr: "err\n" });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
    expect(result.error).toBeUndefined();
  });

  it("runs an argv without a shell, in the given cwd, with the given env and stdin", async () => {
    await ws.mkdir("sub/dir");
    const result = await ws.exec(["/bin/sh", "-c", 'pwd; echo "$GREETING"; cat'], {
      cwd: "sub/dir",
      env: { GREETING: "hello" },
      stdin: "from stdin",
    });
    expect(result.stdout).toBe("/workspace/sub/dir\nhello\nfrom stdin");
  });

  it("answers like a shell for a program that does not exist and refuses a missing cwd", async () => {
    const missing = await ws.exec(["no-such-program", "--flag"]);
    expect(missing.exitCode).toBe(127);
    expect(missing.stderr).toContain("no-such-program");
    await expect(ws.exec("pwd", { cwd: "no/such/dir" })).rejects.toMatchObject({ status: 400, code: "cwd_not_found" });
  });

  it("runs as an unprivileged user with no capabilities", async () => {
    const result = await ws.exec("id -u; grep CapEff /proc/self/status; hostname");
    expect(result.stdout).toBe("1000\nCapEff:\t0000000000000000\nsandbox\n");
  });

  it("streams output as it is produced and ends with the exit event", async () => {
    const events: ExecEvent[] = [];
    for await (const event of ws.execStream("echo one; echo two >&2; echo three; exit 4")) events.push(event);
    const text = (type: "stdout" | "stderr") => events.flatMap((e) => (e.type === type ? [e.data] : [])).join("");
    expect(text("stdout")).toBe("one\nthree\n");
    expect(text("stderr")).toBe("two\n");
    expect(events.at(-1)).toMatchObject({ type: "exit", exitCode: 4 });
  });

  it("cuts output past the capture limit and says so", async () => {
    const result = await ws.exec("yes | head -c 20000000");
    expect(result.exitCode).toBe(0);
    expect(result.truncated).toBe(true);
    expect(result.stdout.length).toBe(16 * 1024 * 1024);
  });

  it("runs several commands of one workspace at the same time", async () => {
    await ws.deleteFile("rendezvous").catch(() => {});
    // The first command can only finish once the second has run, so they cannot have run one after the other.
    const waiting = ws.exec("while [ ! -e rendezvous ]; do sleep 0.01; done; echo first", { timeoutMs: 10_000 });
    const second = await ws.exec("touch rendezvous; echo second");
    expect(second.stdout).toBe("second\n");
    expect(await waiting).toMatchObject({ exitCode: 0, stdout: "first\n" });
  });

  it("kills a streamed command when the caller aborts the stream", async () => {
    const marker = `${Math.floor(Math.random() * 1e6)}.19`;
    const controller = new AbortController();
    const stream = ws.execStream(`echo started; sleep ${marker}`, { signal: controller.signal });
    await expect(
      (async () => {
        for await (const event of stream) if (event.type === "stdout") controller.abort();
      })(),
    ).rejects.toThrow();
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 0, 5000);
    expect((await ws.exec("echo next")).stdout).toBe("next\n");
  });

  it("ends whatever a command left running in the background when the command ends", async () => {
    const result = await ws.exec("sleep 300 & echo started");
    expect(result.stdout).toBe("started\n");
    const ps = await ws.exec("ps -eo args");
    expect(ps.stdout).not.toContain("sleep 300");
  });

  it("ends what a command detached (setsid, a double fork, nohup) when the command ends: its cgroup holds them all", async () => {
    const marker = 300 + Math.floor(Math.random() * 600);
    const result = await ws.exec(
      `setsid sleep ${marker}.1 & (setsid sh -c 'sleep ${marker}.2 &' &); nohup sleep ${marker}.3 >/dev/null 2>&1 & echo started`,
    );
    expect(result.stdout).toBe("started\n");
    // Ended before the answer: nothing to wait for.
    expect(hostPidsMentioning(`sleep ${marker}.`)).toEqual([]);
  });

  it("measures a command's CPU time, its children's included, from its cgroup; waiting costs none", async () => {
    const busy = "import time; t = time.process_time()\nwhile time.process_time() - t < 0.4: pass\nprint(time.process_time())";
    const result = await ws.exec(["sh", "-c", `python3 -c "${busy}" & python3 -c "${busy}"; wait`]);
    expect(result.exitCode, result.stderr).toBe(0);
    const reported = result.stdout.trim().split("\n").map(Number);
    expect(reported).toHaveLength(2);
    const ownMs = (reported[0]! + reported[1]!) * 1000;
    // The cgroup counts what the two processes report plus their shells and interpreter start-up, nothing else.
    expect(result.cpuMs).toBeGreaterThanOrEqual(ownMs * 0.95);
    expect(result.cpuMs).toBeLessThan(ownMs * 1.1 + 200);
    const idle = await ws.exec("sleep 0.5");
    expect(idle.durationMs).toBeGreaterThanOrEqual(500);
    expect(idle.cpuMs).toBeLessThan(50);
  });

  it("keeps the executor, the sandbox's PID 1, when a command signals it", async () => {
    const result = await ws.exec("echo $PPID; kill -9 1; kill -INT 1; kill -TERM 1; echo still");
    expect(result).toMatchObject({ exitCode: 0, stdout: "1\nstill\n" });
    expect(await ws.exec("echo alive")).toMatchObject({ exitCode: 0, stdout: "alive\n" });
  });

  it("restarts the executor after it crashed", async () => {
    // The executor is found on the host by its PID namespace, which the command reports from inside.
    const namespace = (await ws.exec("readlink /proc/self/ns/pid")).stdout.trim();
    const events = ws.execStream("echo started; sleep 5")[Symbol.asyncIterator]();
    expect((await events.next()).value).toMatchObject({ type: "stdout", data: "started\n" });
    const [executor] = hostPidsRunning("/usr/bin/python3 -I -S /run/sandboxd/executor.py").filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/ns/pid`) === namespace;
      } catch {
        return false;
      }
    });
    expect(executor).toBeDefined();
    process.kill(executor!, "SIGKILL");
    let exit: ExecEvent | undefined;
    for (let next = await events.next(); !next.done; next = await events.next()) exit = next.value;
    expect(exit).toMatchObject({ type: "exit" });
    expect(exit).not.toMatchObject({ exitCode: 0 });
    const after = await ws.exec("echo alive");
    expect(after).toMatchObject({ exitCode: 0, stdout: "alive\n" });
  });
});

describe("local client", () => {
  it("uses only web APIs, so it runs inside a Worker", () => {
    const source = readFileSync(new URL("../../../src/sandbox/local.ts", import.meta.url), "utf8");
    expect(source).not.toMatch(/from "node:|require\(|\bBuffer\b|\bprocess\./);
  });
});

describe("run code", () => {
  it("runs Python and reports its output", async () => {
    const result = await ws.runCode("python", "import sys\nprint(sum(range(10)))\nprint('warn', file=sys.stderr)");
    expect(result).toMatchObject({ exitCode: 0, stdout: "45\n", stderr: "warn\n" });
  });

  it("runs JavaScript and reports its output", async () => {
    const result = await ws.runCode("javascript", "console.log([1, 2, 3].map((n) => n * 2).join(','))");
    expect(result).toMatchObject({ exitCode: 0, stdout: "2,4,6\n" });
  });

  it("reports a failing program's exit code and error output", async () => {
    const result = await ws.runCode("python", "raise SystemExit('boom')");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("boom");
  });
});

describe("files", () => {
  it("writes and reads text, creating parent directories", async () => {
    await ws.writeFile("notes/today.md", "# hello\nünïcode ✓\n");
    expect(await ws.readFile("notes/today.md")).toBe("# hello\nünïcode ✓\n");
    expect(await ws.readFile("/workspace/notes/today.md")).toBe("# hello\nünïcode ✓\n");
  });

  it("writes and reads binary content byte for byte", async () => {
    const bytes = new Uint8Array(256 * 4).map((_, i) => i % 256);
    await ws.writeFile("bin/data.bin", bytes);
    expect(await ws.readFileBytes("bin/data.bin")).toEqual(bytes);
    const check = await ws.exec("od -An -tu1 -N4 bin/data.bin | tr -s ' '");
    expect(check.stdout.trim()).toBe("0 1 2 3");
  });

  it("lists entries with sizes and types, recursively when asked", async () => {
    await ws.writeFile("tree/a.txt", "12345");
    await ws.mkdir("tree/inner");
    await ws.writeFile("tree/inner/b.txt", "xy");
    await ws.exec("ln -sf a.txt tree/link");
    const flat = await ws.listFiles("tree");
    expect(flat.map((e) => [e.path, e.type])).toEqual([
      ["tree/a.txt", "file"],
      ["tree/inner", "directory"],
      ["tree/link", "symlink"],
    ]);
    expect(flat.find((e) => e.name === "a.txt")?.size).toBe(5);
    const deep = await ws.listFiles("tree", { recursive: true });
    expect(deep.find((e) => e.path === "tree/inner/b.txt")).toMatchObject({ type: "file", size: 2 });
  });

  it("moves, checks existence of and deletes files and directories", async () => {
    await ws.writeFile("mv/src.txt", "content");
    await ws.moveFile("mv/src.txt", "mv/dest/renamed.txt");
    expect(await ws.exists("mv/src.txt")).toEqual({ exists: false });
    expect(await ws.exists("mv/dest/renamed.txt")).toEqual({ exists: true, type: "file" });
    expect(await ws.exists("mv/dest")).toEqual({ exists: true, type: "directory" });
    await ws.writeFile("mv/other.txt", "x");
    await expect(ws.moveFile("mv/other.txt", "mv/dest/renamed.txt")).rejects.toMatchObject({ status: 409, code: "already_exists" });
    await ws.moveFile("mv/other.txt", "mv/dest/renamed.txt", { overwrite: true });
    expect(await ws.readFile("mv/dest/renamed.txt")).toBe("x");
    await expect(ws.deleteFile("mv/dest")).rejects.toMatchObject({ status: 409, code: "directory_not_empty" });
    await ws.deleteFile("mv", { recursive: true });
    expect(await ws.exists("mv")).toEqual({ exists: false });
  });

  it("answers 404 for a file that does not exist", async () => {
    await expect(ws.readFile("missing.txt")).rejects.toMatchObject({ status: 404, code: "not_found" });
  });

  it("sees files written by commands and commands see files written through the API", async () => {
    await ws.exec("echo from-shell > shell.txt");
    expect(await ws.readFile("shell.txt")).toBe("from-shell\n");
    await ws.writeFile("api.txt", "from-api");
    expect((await ws.exec("cat api.txt")).stdout).toBe("from-api");
  });
});

describe("network", () => {
  const interfaces = "python3 -c 'import socket; print(sorted(n for _, n in socket.if_nameindex()))'";

  it("gives a workspace an outbound interface by default and none once the network is switched off", async () => {
    const net = await sandboxd.client.workspace(uniqueId("net"));
    const on = await net.exec(interfaces);
    if ((await sandboxd.client.status()).protections.outboundNetwork?.enabled) expect(on.stdout).not.toBe("['lo']\n");
    const info = await net.setNetwork(false);
    expect(info.network).toBe(false);
    expect((await net.exec(interfaces)).stdout).toBe("['lo']\n");
    await net.setNetwork(true);
    if ((await sandboxd.client.status()).protections.outboundNetwork?.enabled) {
      expect((await net.exec(interfaces)).stdout).not.toBe("['lo']\n");
    }
    await net.destroy();
  });

  it("reaches the outside world over HTTPS with the system CA bundle, when the host itself can", async () => {
    const url = "https://registry.npmjs.org/is-number";
    const hostCan = await fetch(url, { signal: AbortSignal.timeout(10_000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (!hostCan || !(await sandboxd.client.status()).protections.outboundNetwork?.enabled) return;
    const result = await ws.exec(
      `python3 -c "import urllib.request as u, json; print(json.load(u.urlopen('${url}', timeout=20))['name'])"`,
      { timeoutMs: 30_000 },
    );
    expect(result.stdout).toBe("is-number\n");
  });

  it("creates a workspace with the network off when asked", async () => {
    const off = await sandboxd.client.workspace(uniqueId("offline"), { network: false });
    expect((await off.info()).network).toBe(false);
    expect((await off.exec(interfaces)).stdout).toBe("['lo']\n");
    await off.destroy();
  });
});

describe("workspace lifecycle", () => {
  it("creates a workspace again while its old self is still being destroyed, and every other workspace stays usable", async () => {
    // CI caught this: an agent deleted while its workspace was still in use. The delete's clean-up removed the
    // directory of the workspace created again meanwhile, and the next new workspace anywhere failed on its missing
    // workspace.json.
    const id = uniqueId("reborn");
    const old = await sandboxd.client.workspace(id);
    // A process that ignores SIGTERM keeps the destroy busy long enough for the create to arrive in the middle.
    await old.startProcess(`trap '' TERM; while true; do sleep 0.2; done`);
    const destroying = old.destroy();
    const reborn = await sandboxd.client.workspace(id);
    await destroying;
    await reborn.writeFile("after.txt", "still here");
    expect(await reborn.readFile("after.txt")).toBe("still here");
    const other = await sandboxd.client.workspace(uniqueId("other"));
    await other.writeFile("x.txt", "x");
    await other.destroy();
    await reborn.destroy();
  });
});
