import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Workspace } from "../../../src/sandbox/types.ts";
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
  ws = await sandboxd.client.workspace(uniqueId("procs"));
});

afterAll(async () => {
  await sandboxd?.stop();
  if (sandboxd) removeDataDir(sandboxd.dataDir);
});

async function collect(iterable: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const chunk of iterable) text += chunk;
  return text;
}

describe("background processes", () => {
  it("keeps running after the request that started it and shows as running", async () => {
    const marker = `${Math.floor(Math.random() * 1e6)}.123`;
    const proc = await ws.startProcess(`sleep ${marker}`);
    expect(proc).toMatchObject({ status: "running", exitCode: null, reason: null });
    expect(proc.id).toMatch(/^proc_/);
    await ws.exec("echo another request");
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 1);
    expect((await ws.getProcess(proc.id)).status).toBe("running");
    expect((await ws.listProcesses()).map((p) => p.id)).toContain(proc.id);
    await ws.stopProcess(proc.id);
  });

  it("runs in the workspace with the given cwd and env", async () => {
    await ws.mkdir("app");
    const proc = await ws.startProcess("pwd; echo $MODE; echo file > made-by-process.txt", { cwd: "app", env: { MODE: "dev" } });
    const logs = await collect(ws.processLogs(proc.id, { follow: true }));
    expect(logs).toBe("/workspace/app\ndev\n");
    expect(await ws.readFile("app/made-by-process.txt")).toBe("file\n");
    expect(await ws.getProcess(proc.id)).toMatchObject({ status: "exited", exitCode: 0, reason: "exited" });
  });

  it("keeps env values out of the command lines host users can read", async () => {
    const secret = `tok-${Math.floor(Math.random() * 1e9)}`;
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a shell expansion (the secret's length), not a template
    const proc = await ws.startProcess("echo ${#API_TOKEN}; sleep 600", { env: { API_TOKEN: secret } });
    await waitFor(async () => (await collect(ws.processLogs(proc.id))) === `${secret.length}\n`);
    expect(hostPidsMentioning(secret)).toEqual([]);
    await ws.stopProcess(proc.id);
  });

  it("follows logs as they are written until the process exits", async () => {
    await ws.writeFile("gate", "");
    // The process prints, then waits until the test has seen the line before it prints again.
    const proc = await ws.startProcess("echo first; while [ ! -s gate ]; do sleep 0.05; done; echo second >&2; exit 7");
    const chunks: string[] = [];
    const iterator = ws.processLogs(proc.id, { follow: true })[Symbol.asyncIterator]();
    const first = await iterator.next();
    chunks.push(first.value as string);
    expect(chunks.join("")).toBe("first\n");
    await ws.writeFile("gate", "open");
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) chunks.push(next.value);
    expect(chunks.join("")).toBe("first\nsecond\n");
    expect(await ws.getProcess(proc.id)).toMatchObject({ status: "exited", exitCode: 7, reason: "exited with code 7" });
  });

  it("returns the logs so far without follow, while the process still runs", async () => {
    const proc = await ws.startProcess("echo ready; sleep 600");
    await waitFor(async () => (await collect(ws.processLogs(proc.id))) === "ready\n");
    expect((await ws.getProcess(proc.id)).status).toBe("running");
    await ws.stopProcess(proc.id);
  });

  it("stop ends the whole process tree, including children that left the session", async () => {
    const marker = `${Math.floor(Math.random() * 1e6)}.77`;
    const proc = await ws.startProcess(`sleep ${marker} & setsid sleep ${marker} & (sleep ${marker} &) ; sleep ${marker}`);
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 4);
    const stopped = await ws.stopProcess(proc.id);
    expect(stopped).toMatchObject({ status: "exited", reason: "stopped" });
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 0, 5000);
  });

  it("can be restarted with one call after it exited", async () => {
    const proc = await ws.startProcess("echo run >> runs.txt");
    await waitFor(async () => (await ws.getProcess(proc.id)).status === "exited");
    const again = await ws.restartProcess(proc.id);
    expect(again.id).toBe(proc.id);
    await waitFor(async () => (await ws.getProcess(proc.id)).status === "exited");
    expect(await ws.readFile("runs.txt")).toBe("run\nrun\n");
  });

  it("answers 404 for an unknown process id", async () => {
    await expect(ws.getProcess("proc_unknown")).rejects.toMatchObject({ status: 404, code: "process_not_found" });
    await expect(ws.stopProcess("proc_unknown")).rejects.toMatchObject({ status: 404, code: "process_not_found" });
    await expect(collect(ws.processLogs("proc_unknown"))).rejects.toMatchObject({ status: 404 });
  });
});

describe("destroy", () => {
  it("ends the workspace's processes and removes its files, network namespace and disk", async () => {
    const doomed = await sandboxd.client.workspace(uniqueId("doomed"));
    const marker = `${Math.floor(Math.random() * 1e6)}.55`;
    await doomed.writeFile("file.txt", "bye");
    await doomed.startProcess(`sleep ${marker}`);
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length === 1);
    await doomed.destroy();
    expect(hostPidsRunning(`sleep ${marker}`)).toEqual([]);
    expect(readFileSync("/proc/self/mountinfo", "utf8")).not.toContain(doomed.id);
    expect(existsSync(`${sandboxd.dataDir}/workspaces/${doomed.id}`)).toBe(false);
    await expect(doomed.info()).rejects.toMatchObject({ status: 404, code: "workspace_not_found" });
    await sandboxd.client.destroy(doomed.id);
  });
});
