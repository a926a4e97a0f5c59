import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeDataDir, type SandboxdProcess, startSandboxd, uniqueId } from "../../support/sandboxd.ts";

const root = process.getuid?.() === 0;
let sandboxd: SandboxdProcess | undefined;

// As root the test can start sandboxd as an ordinary user (nobody) to see how it degrades.
describe.runIf(root)("sandboxd without root", () => {
  beforeAll(async () => {
    sandboxd = await startSandboxd({ uid: 65534 });
  });

  afterAll(async () => {
    await sandboxd?.stop();
    if (sandboxd) removeDataDir(sandboxd.dataDir);
  });

  it("says at start and in its status which protections are missing", async () => {
    const status = await sandboxd!.client.status();
    expect(status.root).toBe(false);
    expect(status.missing.sort()).toEqual(["cpuLimit", "diskQuota", "memoryLimit", "outboundNetwork", "pidsLimit", "separateUid"]);
    expect(status.protections.filesystem?.enabled).toBe(true);
    expect(sandboxd!.output()).toContain("running with missing protections: separateUid");
  });

  it("still runs commands in a sandbox with no network and no view of the host", async () => {
    const ws = await sandboxd!.client.workspace(uniqueId("unpriv"));
    const result = await ws.exec(
      "id -u; ls /root 2>&1; python3 -c 'import socket; print([n for _, n in socket.if_nameindex()])'; touch /usr/x 2>&1 || true",
    );
    expect(result.stdout).toContain("1000\n");
    expect(result.stdout).toContain("cannot access '/root'");
    expect(result.stdout).toContain("['lo']");
    expect(result.stdout).toContain("Read-only file system");
    await ws.writeFile("a.txt", "works");
    expect(await ws.readFile("a.txt")).toBe("works");
    const timedOut = await ws.exec("sleep 5", { timeoutMs: 200 });
    expect(timedOut.error?.limit).toBe("timeout");
    await ws.destroy();
  });
});
