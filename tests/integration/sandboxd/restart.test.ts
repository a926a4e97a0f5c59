import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hostPidsRunning, removeDataDir, type SandboxdProcess, startSandboxd, uniqueId, waitFor } from "../../support/sandboxd.ts";

const dataDir = mkdtempSync(path.join(tmpdir(), "sandboxd-restart-"));
let current: SandboxdProcess | undefined;

afterAll(async () => {
  await current?.stop();
  removeDataDir(dataDir);
});

async function collect(chunks: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const chunk of chunks) text += chunk;
  return text;
}

async function restart(how: "stop" | "stopGroup" | "crash"): Promise<SandboxdProcess> {
  await current![how]();
  current = await startSandboxd({ dataDir });
  return current;
}

describe("sandboxd restarts", () => {
  it("keeps workspace files and settings across a clean restart, and reports interrupted processes", async () => {
    current = await startSandboxd({ dataDir });
    const id = uniqueId("persist");
    const ws = await current.client.workspace(id, { network: false, limits: { memoryMiB: 256 } });
    await ws.writeFile("keep/me.txt", "still here");
    const marker = `${Math.floor(Math.random() * 1e6)}.31`;
    const proc = await ws.startProcess(`echo started; sleep ${marker}`);
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 1);
    await waitFor(async () => (await collect(ws.processLogs(proc.id))) === "started\n");

    const next = await restart("stopGroup");
    expect(hostPidsRunning(`sleep ${marker}`)).toEqual([]);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(`${dataDir}/`);
    const again = await next.client.workspace(id);
    expect(await again.readFile("keep/me.txt")).toBe("still here");
    expect(await again.info()).toMatchObject({ network: false, limits: { memoryMiB: 256 } });
    expect(await again.getProcess(proc.id)).toMatchObject({ status: "exited", reason: "sandboxd stopped while it was running" });
    // The log keeps the output and says, on a line of its own, why the process ended.
    expect(await collect(again.processLogs(proc.id))).toBe("started\n[netM8] sandboxd stopped while it was running\n");

    const restarted = await again.restartProcess(proc.id);
    expect(restarted).toMatchObject({ id: proc.id, status: "running", reason: null });
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 1);
    await again.stopProcess(proc.id);
  });

  it("stops by itself, ending its workspaces, when the process that started it goes away", async () => {
    current ??= await startSandboxd({ dataDir });
    const ws = await current.client.workspace(uniqueId("orphan"));
    const marker = `${Math.floor(Math.random() * 1e6)}.51`;
    await ws.startProcess(`sleep ${marker}`);
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 1);
    const pid = current.pid;
    // Closing sandboxd's stdin is what a dying parent does to it.
    current.closeStdin();
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 0, 15_000);
    await waitFor(() => !existsSync(`/proc/${pid}`) || readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.startsWith("Z"), 15_000);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(`${dataDir}/`);
    current = await startSandboxd({ dataDir });
  });

  it("recovers after sandboxd is killed: processes show as exited with the reason and nothing keeps running", async () => {
    current ??= await startSandboxd({ dataDir });
    const id = uniqueId("crash");
    const ws = await current.client.workspace(id);
    await ws.writeFile("data.txt", "survives a crash");
    const marker = `${Math.floor(Math.random() * 1e6)}.41`;
    const proc = await ws.startProcess(`sleep ${marker}`);
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 1);
    await ws.exec("echo warm executor");

    const next = await restart("crash");
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 0, 5000);
    const again = await next.client.workspace(id);
    expect(await again.getProcess(proc.id)).toMatchObject({ status: "exited", reason: "sandboxd restarted while it was running" });
    expect(await again.readFile("data.txt")).toBe("survives a crash");
    expect(await again.exec("echo works")).toMatchObject({ exitCode: 0, stdout: "works\n" });
    await again.restartProcess(proc.id);
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 1);
    await again.stopProcess(proc.id);
  });
});
