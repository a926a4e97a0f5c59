import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../../src/sandbox/types.ts";
import { removeDataDir, type SandboxdProcess, startSandboxd, uniqueId } from "../../support/sandboxd.ts";

const checkout = path.resolve(import.meta.dirname, "../../..");
let sandboxd: SandboxdProcess;
let ws: Workspace;
let devServer: Server;
let devPort: number;
const root = process.getuid?.() === 0;

const hostAddresses = Object.values(networkInterfaces())
  .flat()
  .filter((i) => i && !i.internal && !i.address.startsWith("fe80:"))
  .map((i) => (i!.family === "IPv6" ? `[${i!.address}]` : i!.address));

/** A Python one-liner that prints "reached" or "blocked: <error>" for an HTTP GET. */
const probe = (url: string) =>
  `python3 -c "import urllib.request as u
try:
    u.urlopen('${url}', timeout=3); print('reached')
except Exception as e:
    print('reached' if hasattr(e, 'code') else 'blocked: %s' % e)"`;

beforeAll(async () => {
  sandboxd = await startSandboxd();
  ws = await sandboxd.client.workspace(uniqueId("escape"));
  // Stands in for the dev server: listens on every IPv4 and IPv6 host address, like `next dev` does.
  devServer = createServer((_req, res) => res.end("dev server"));
  await new Promise<void>((resolve) => devServer.listen(0, "::", resolve));
  devPort = (devServer.address() as AddressInfo).port;
});

afterAll(async () => {
  devServer?.close();
  await sandboxd?.stop();
  if (sandboxd) removeDataDir(sandboxd.dataDir);
});

describe("escape attempts", () => {
  it("cannot read /root, the project checkout or /etc/shadow", async () => {
    const result = await ws.exec(`cat /etc/shadow; ls /root; ls ${checkout}; cat ${checkout}/package.json; echo done`);
    expect(result.stdout).toBe("done\n");
    expect(result.stderr).toContain("/etc/shadow: No such file or directory");
    expect(result.stderr).toContain("cannot access '/root'");
    expect(result.stderr).toContain(`cannot access '${checkout}'`);
  });

  it("sees a generated /etc without host users", async () => {
    const passwd = await ws.exec("cat /etc/passwd; ls /etc");
    expect(passwd.stdout).toContain("user:x:1000:1000");
    expect(passwd.stdout.split("\n").filter((l) => l.includes(":x:"))).toHaveLength(3);
    expect(passwd.stdout).not.toContain("shadow");
  });

  it("cannot see host processes", async () => {
    const result = await ws.exec("ls /proc | grep -c '^[0-9]'; cat /proc/[0-9]*/cmdline | tr '\\0' ' '");
    const [count, ...cmdlines] = result.stdout.split("\n");
    expect(Number(count)).toBeLessThan(10);
    expect(cmdlines.join(" ")).not.toContain("vitest");
    expect(cmdlines.join(" ")).not.toContain("sandboxd/main.ts");
    const kill = await ws.exec(`kill -0 ${process.pid} && echo visible || echo hidden`);
    expect(kill.stdout).toContain("hidden");
  });

  it("cannot write outside the workspace and its private /tmp", async () => {
    const marker = uniqueId("escape-marker");
    const result = await ws.exec(
      `for p in /${marker} /usr/${marker} /etc/${marker} /var/${marker} /run/${marker} /proc/${marker}; do touch $p 2>/dev/null && echo "wrote $p"; done; touch /tmp/${marker} && echo tmp-ok`,
    );
    expect(result.stdout).toBe("tmp-ok\n");
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    expect(existsSync(`/${marker}`)).toBe(false);
  });

  it.runIf(root)("runs under a seccomp filter that refuses kernel-surface system calls", async () => {
    expect((await sandboxd.client.status()).protections.seccomp?.enabled).toBe(true);
    // keyctl(KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING) works for any user without the filter.
    const result = await ws.runCode(
      "python",
      "import ctypes, errno\nlibc = ctypes.CDLL(None, use_errno=True)\nprint(libc.syscall(250, 0, -3, 0), errno.errorcode[ctypes.get_errno()])\nprint(open('/proc/self/status').read().split('Seccomp:')[1].split()[0])",
    );
    expect(result.stdout).toBe("-1 EPERM\n2\n");
  });

  it("cannot gain privileges, create user namespaces or mount", async () => {
    const result = await ws.exec(
      "grep NoNewPrivs /proc/self/status; unshare -U true || echo no-userns; mount -t tmpfs x /tmp 2>/dev/null || echo no-mount; touch /dev/x 2>/dev/null || echo dev-read-only",
    );
    expect(result.stdout).toBe("NoNewPrivs:\t1\nno-userns\nno-mount\ndev-read-only\n");
  });

  it("cannot reach sandboxd or a dev server on the host's loopback", async () => {
    const result = await ws.exec(
      [
        probe(`http://127.0.0.1:${sandboxd.port}/v1/status`),
        probe(`http://127.0.0.1:${devPort}/`),
        probe(`http://localhost:${devPort}/`),
        probe(`http://[::1]:${devPort}/`),
      ].join("; "),
    );
    expect(result.stdout.split("\n").filter(Boolean)).toHaveLength(4);
    expect(result.stdout).not.toContain("reached");
  });

  it("cannot reach a dev server or sandboxd on the host's own addresses", async () => {
    expect(hostAddresses.length).toBeGreaterThan(0);
    const probes = hostAddresses.flatMap((address) => [
      probe(`http://${address}:${devPort}/`),
      probe(`http://${address}:${sandboxd.port}/`),
    ]);
    const result = await ws.exec(probes.join("; "));
    expect(result.stdout.split("\n").filter(Boolean)).toHaveLength(probes.length);
    expect(result.stdout).not.toContain("reached");
    // The same URL is reachable from the host itself, so the probe would see it if the sandbox could.
    const fromHost = await fetch(`http://${hostAddresses[0]}:${devPort}/`).then((r) => r.text());
    expect(fromHost).toBe("dev server");
  });

  it.runIf(root)("cannot reach the host through any other address the host has", async () => {
    // Stands in for a docker bridge or a second NIC: an extra address on the host, added for this test only.
    const extra = `198.51.100.${2 + Math.floor(Math.random() * 250)}`;
    expect(spawnSync("ip", ["addr", "add", `${extra}/32`, "dev", "lo"]).status).toBe(0);
    try {
      const fresh = await sandboxd.client.workspace(uniqueId("extra-addr"));
      expect(await fetch(`http://${extra}:${devPort}/`).then((r) => r.text())).toBe("dev server");
      const result = await fresh.exec(probe(`http://${extra}:${devPort}/`));
      expect(result.stdout).toMatch(/^blocked/);
      await fresh.destroy();
    } finally {
      spawnSync("ip", ["addr", "del", `${extra}/32`, "dev", "lo"]);
    }
  });

  it("cannot read another workspace's files", async () => {
    const other = await sandboxd.client.workspace(uniqueId("victim"));
    await other.writeFile("secret.txt", "victim secret");
    const hostPath = path.join(sandboxd.dataDir, "workspaces", other.id, "disk/workspace/secret.txt");
    const result = await ws.exec(`cat ${hostPath}; ls ${sandboxd.dataDir}; ls /workspace/../`);
    expect(result.stdout).not.toContain("victim secret");
    expect(result.stdout).not.toContain(other.id);
    await expect(ws.readFile(`../${other.id}/secret.txt`)).rejects.toMatchObject({ status: 400 });
    await expect(ws.readFile(hostPath)).rejects.toMatchObject({ status: 403 });
    if (root) {
      // On the host the two workspaces are different uids, and each workspace directory is private to its uid.
      const owner = spawnSync("stat", ["-c", "%u %a", path.dirname(hostPath)], { encoding: "utf8" }).stdout.trim();
      expect(owner).toMatch(/^\d+ 700$/);
      expect(owner.split(" ")[0]).not.toBe("0");
    }
    await other.destroy();
  });
});

describe.runIf(root)("limits", () => {
  it("contains a fork bomb with the process limit, keeps the host responsive and the workspace usable", async () => {
    const bomb = await sandboxd.client.workspace(uniqueId("forkbomb"), { limits: { pids: 64, timeoutMs: 5000 } });
    const started = Date.now();
    const result = await bomb.exec("bomb() { bomb | bomb & }; bomb; sleep 2");
    expect(result.error).toMatchObject({ code: "pids_limit_exceeded", limit: "pids" });
    expect(result.error?.message).toContain("64");
    expect(Date.now() - started).toBeLessThan(15_000);
    const host = spawnSync("/bin/true");
    expect(host.status).toBe(0);
    expect(await bomb.exec("echo usable")).toMatchObject({ exitCode: 0, stdout: "usable\n" });
    await bomb.destroy();
  });

  it("holds a workspace to its CPU share", async () => {
    const half = await sandboxd.client.workspace(uniqueId("cpu"), { limits: { cpus: 0.5 } });
    // Two busy loops for one second of wall time: about 2 CPU-seconds unlimited on two cores, about 0.5 here.
    const busy = "python3 -c 'import time\nt = time.time()\nwhile time.time() - t < 1: pass' &";
    const result = await half.exec(`${busy} ${busy} wait; times`);
    // `times` prints the shell's own and then its children's user and system time, e.g. "0m0.527s 0m0.011s".
    const children = result.stdout
      .trim()
      .split("\n")
      .at(-1)!
      .match(/(\d+)m([\d.]+)s/g)!;
    const cpuSeconds = children.map((t) => Number(t.split("m")[0]) * 60 + Number.parseFloat(t.split("m")[1]!)).reduce((a, b) => a + b, 0);
    expect(cpuSeconds).toBeGreaterThan(0);
    expect(cpuSeconds).toBeLessThan(1);
    await half.destroy();
  });

  it("kills a process that allocates past the memory limit and says so", async () => {
    const small = await sandboxd.client.workspace(uniqueId("memory"), { limits: { memoryMiB: 64 } });
    const result = await small.exec("python3 -c 'x = bytearray(256 * 1024 * 1024); print(len(x))'");
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe("");
    expect(result.error).toMatchObject({ code: "memory_limit_exceeded", limit: "memory" });
    expect(result.error?.message).toContain("64 MiB");
    expect(await small.exec("echo usable")).toMatchObject({ exitCode: 0, stdout: "usable\n" });
    await small.destroy();
  });

  it("stops writes at the disk quota, names it, and works again once space is freed", async () => {
    const small = await sandboxd.client.workspace(uniqueId("disk"), { limits: { diskMiB: 32 } });
    const fill = await small.exec("dd if=/dev/zero of=big bs=1M count=64");
    expect(fill.exitCode).not.toBe(0);
    expect(fill.stderr).toContain("No space left on device");
    expect(fill.error).toMatchObject({ code: "disk_quota_exceeded", limit: "disk" });
    await expect(small.writeFile("more.bin", new Uint8Array(2 * 1024 * 1024))).rejects.toMatchObject({
      status: 507,
      code: "disk_quota_exceeded",
    });
    const tmp = await small.exec("dd if=/dev/zero of=/tmp/big bs=1M count=64");
    expect(tmp.exitCode).not.toBe(0);
    expect(await small.exec("echo usable")).toMatchObject({ exitCode: 0, stdout: "usable\n" });
    await small.deleteFile("big");
    await small.exec("rm -f /tmp/big");
    await small.writeFile("more.bin", new Uint8Array(2 * 1024 * 1024));
    expect((await small.info()).disk?.totalBytes).toBeLessThan(33 * 1024 * 1024);
    await small.destroy();
  });
});

describe("timeout", () => {
  it("kills a command and its children past the timeout and names the limit", async () => {
    const started = Date.now();
    const result = await ws.exec("sleep 30 & sleep 31; echo never", { timeoutMs: 500 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.stdout).toBe("");
    expect(result.error).toMatchObject({ code: "timeout_exceeded", limit: "timeout" });
    expect(result.error?.message).toContain("500 ms");
    const ps = await ws.exec("ps -eo args");
    expect(ps.stdout).not.toMatch(/sleep 3[01]/);
    expect(await ws.exec("echo usable")).toMatchObject({ exitCode: 0, stdout: "usable\n" });
  });

  it("applies the workspace's default timeout when the call gives none", async () => {
    const quick = await sandboxd.client.workspace(uniqueId("deftimeout"), { limits: { timeoutMs: 300 } });
    const result = await quick.exec("sleep 10");
    expect(result.error).toMatchObject({ code: "timeout_exceeded", limit: "timeout" });
    await quick.destroy();
  });
});

describe("the executor", () => {
  it("cannot be taken over by the commands it runs", async () => {
    const result = await ws.exec("grep -c . /proc/$PPID/environ 2>&1; ls /proc/$PPID/fd 2>&1; cat /proc/$PPID/status | grep -i tracer");
    expect(result.stdout).toContain("Permission denied");
    expect(result.stdout).not.toMatch(/^\d+$/m);
    expect(result.stdout).toContain("TracerPid:\t0");
  });

  it("cannot have its output channel to sandboxd written by a command", async () => {
    const result = await ws.exec("echo '{not json' > /proc/$PPID/fd/1 && echo wrote");
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/Permission denied|No such device/);
    expect(await ws.exec("echo usable")).toMatchObject({ exitCode: 0, stdout: "usable\n" });
  });
});
