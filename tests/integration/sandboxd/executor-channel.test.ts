import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../../src/sandbox/types.ts";
import { removeDataDir, type SandboxdProcess, startSandboxd, uniqueId } from "../../support/sandboxd.ts";

let sandboxd: SandboxdProcess;
let ws: Workspace;
const root = process.getuid?.() === 0;

/** Python prelude: `sc(nr, *args)` makes a raw system call and answers "ok <value>" or the errno name. */
const prelude = `import ctypes, errno, os, select, sys, time, json
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
def sc(*args):
    r = libc.syscall(*[ctypes.c_long(a) for a in args])
    return "ok %d" % r if r >= 0 else errno.errorcode.get(ctypes.get_errno(), "errno %d" % ctypes.get_errno())
def grab(pid, fd):
    """Duplicates another process's fd with pidfd_open + pidfd_getfd; the new fd number or None."""
    pidfd = libc.syscall(ctypes.c_long(434), ctypes.c_long(pid), ctypes.c_long(0))
    if pidfd < 0:
        return None
    got = libc.syscall(ctypes.c_long(438), ctypes.c_long(pidfd), ctypes.c_long(fd), ctypes.c_long(0))
    return got if got >= 0 else None
def proc_fd(pid, fd, mode):
    try:
        return os.open("/proc/%d/fd/%d" % (pid, fd), mode)
    except OSError:
        return None
`;

beforeAll(async () => {
  sandboxd = await startSandboxd();
  ws = await sandboxd.client.workspace(uniqueId("channel"));
});

afterAll(async () => {
  await sandboxd?.stop();
  if (sandboxd) removeDataDir(sandboxd.dataDir);
});

describe("the executor's channel to sandboxd", () => {
  it("cannot be duplicated from PID 1 with pidfd_getfd", async () => {
    const result = await ws.runCode(
      "python",
      `${prelude}pidfd = libc.syscall(ctypes.c_long(434), ctypes.c_long(1), ctypes.c_long(0))
print("pidfd_open", "ok" if pidfd >= 0 else errno.errorcode[ctypes.get_errno()])
for fd in (0, 1, 2):
    print("getfd", fd, sc(438, pidfd, fd, 0) if pidfd >= 0 else "no pidfd")`,
    );
    const lines = result.stdout.trim().split("\n");
    expect(lines.filter((line) => line.startsWith("getfd"))).toHaveLength(3);
    expect(result.stdout).not.toMatch(/^getfd \d ok/m);
  });

  it.runIf(root)("refuses pidfd_getfd, ptrace and process_vm_* in the seccomp filter", async () => {
    // On the process itself, where no permission check could stand in for the filter.
    const result = await ws.runCode(
      "python",
      `${prelude}me = libc.syscall(ctypes.c_long(434), ctypes.c_long(os.getpid()), ctypes.c_long(0))
print("pidfd_getfd", sc(438, me, 0, 0))
print("ptrace", sc(101, 0, 0, 0, 0))
print("process_vm_readv", sc(310, os.getpid(), 0, 0, 0, 0, 0))
print("process_vm_writev", sc(311, os.getpid(), 0, 0, 0, 0, 0))`,
    );
    expect(result.stdout).toBe("pidfd_getfd EPERM\nptrace EPERM\nprocess_vm_readv EPERM\nprocess_vm_writev EPERM\n");
  });

  it("cannot be attached to with ptrace on PID 1", async () => {
    const result = await ws.runCode(
      "python",
      `${prelude}print("attach", sc(101, 16, 1, 0, 0))
print("seize", sc(101, 0x4206, 1, 0, 0))
sc(101, 17, 1, 0, 0)`,
    );
    expect(result.stdout).toMatch(/^attach E[A-Z]+\nseize E[A-Z]+\n$/);
  });

  it("cannot be opened through /proc/1/fd", async () => {
    const result = await ws.runCode(
      "python",
      `${prelude}try:
    print("list", os.listdir("/proc/1/fd"))
except OSError as e:
    print("list", errno.errorcode[e.errno])
for fd in (0, 1, 2):
    print("open", fd, "ok" if proc_fd(1, fd, os.O_RDWR) is not None or proc_fd(1, fd, os.O_RDONLY) is not None else "refused")`,
    );
    expect(result.stdout).toBe("list EACCES\nopen 0 refused\nopen 1 refused\nopen 2 refused\n");
  });

  it("does not let a command read another exec's request, secrets included", async () => {
    const secret = `s3cret-${uniqueId("value")}`;
    // The thief takes PID 1's fd 0 by every route it has and reads it while a second exec is sent with a secret.
    await ws.writeFile(
      "thief.py",
      `${prelude}fd = grab(1, 0)
if fd is None:
    fd = proc_fd(1, 0, os.O_RDONLY)
print("grabbed" if fd is not None else "refused", flush=True)
got = b""
deadline = time.time() + 3
while fd is not None and time.time() < deadline:
    ready, _, _ = select.select([fd], [], [], 0.1)
    if ready:
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        got += chunk
print(got.decode("utf8", "replace"))`,
    );
    const events = ws.execStream("python3 thief.py")[Symbol.asyncIterator]();
    let thiefOutput = "";
    // The victim is sent once the thief holds (or failed to take) the fd, so that its read races the executor's.
    while (!/grabbed|refused/.test(thiefOutput)) {
      const next = await events.next();
      if (next.done || next.value.type === "exit") break;
      thiefOutput += next.value.data;
    }
    const victim = await ws.exec("echo ran:$SECRET", { env: { SECRET: secret }, timeoutMs: 3000 });
    for (let next = await events.next(); !next.done; next = await events.next()) {
      if (next.value.type === "stdout") thiefOutput += next.value.data;
    }
    const stolen = { stdout: thiefOutput };
    expect(victim).toMatchObject({ exitCode: 0, stdout: `ran:${secret}\n` });
    expect(stolen.stdout).toMatch(/^refused\n/);
    expect(stolen.stdout).not.toContain(secret);
  });

  it("never passes a forged exit line to the caller; the duration is sandboxd's own clock", async () => {
    const result = await ws.runCode(
      "python",
      `${prelude}lines = b""
for i in range(1, 400):
    lines += (json.dumps({"id": str(i), "type": "stdout", "data": ${JSON.stringify(Buffer.from("forged\n").toString("base64"))}}) + "\\n").encode()
    lines += (json.dumps({"id": str(i), "type": "exit", "exitCode": 0, "signal": None, "timedOut": False, "durationMs": 0}) + "\\n").encode()
for fd in (grab(1, 1), proc_fd(1, 1, os.O_WRONLY)):
    if fd is not None:
        try:
            os.write(fd, lines)
        except OSError:
            pass
time.sleep(1.5)
print("real")
sys.exit(3)`,
    );
    expect(result.stdout).toBe("real\n");
    expect(result.exitCode).toBe(3);
    expect(result.durationMs).toBeGreaterThanOrEqual(1500);
    expect(await ws.exec("echo usable")).toMatchObject({ exitCode: 0, stdout: "usable\n" });
  });
});
