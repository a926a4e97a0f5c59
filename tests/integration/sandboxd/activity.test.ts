import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SandboxError, type WorkspaceInfo } from "../../../src/sandbox/types.ts";
import { hostPidsMentioning, removeDataDir, type SandboxdProcess, startSandboxd, uniqueId, waitFor } from "../../support/sandboxd.ts";

/*
 * Live workspaces: an idle one stops its executor and network (pasta) and starts again with its files on next use;
 * an account (a group) has a cap on live workspaces, for which the least recently used idle one is stopped; and
 * `POST .../stop` ends everything a workspace runs and closes its previews (what a ban uses).
 */

/** The idle sweep's: 0.02 minutes is 1.2 s. */
const IDLE_MINUTES = "0.02";
let idle: SandboxdProcess;
let capped: SandboxdProcess;

beforeAll(async () => {
  [idle, capped] = await Promise.all([startSandboxd({ env: { SANDBOXD_IDLE_MINUTES: IDLE_MINUTES } }), startSandboxd()]);
}, 120_000);

afterAll(async () => {
  for (const sandboxd of [idle, capped]) {
    await sandboxd?.stop();
    if (sandboxd) removeDataDir(sandboxd.dataDir);
  }
});

async function info(sandboxd: SandboxdProcess, id: string): Promise<WorkspaceInfo> {
  const response = await fetch(`${sandboxd.url}/v1/workspaces/${id}`, { headers: { authorization: `Bearer ${sandboxd.secret}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as WorkspaceInfo;
}

/** Host processes of one workspace: its executor's bubblewrap and pasta (both name the workspace's directory). */
const hostProcessesOf = (sandboxd: SandboxdProcess, id: string) => hostPidsMentioning(path.join(sandboxd.dataDir, "workspaces", id));

function pastaRunning(sandboxd: SandboxdProcess, id: string): boolean {
  const file = path.join(sandboxd.dataDir, "workspaces", id, "pasta.pid");
  if (!existsSync(file)) return false;
  return existsSync(`/proc/${readFileSync(file, "utf8").trim()}`);
}

const root = process.getuid?.() === 0;

describe("an idle workspace", () => {
  it("stops its executor and network after the idle time and starts again on next use with its files kept", async () => {
    const id = uniqueId("idle");
    const ws = await idle.client.workspace(id);
    expect((await ws.exec("echo kept > note.txt && echo written")).stdout).toBe("written\n");
    expect((await info(idle, id)).live).toBe(true);
    expect(hostProcessesOf(idle, id).length).toBeGreaterThan(0);
    if (root) expect(pastaRunning(idle, id)).toBe(true);

    await waitFor(async () => !(await info(idle, id)).live && hostProcessesOf(idle, id).length === 0, 15_000);
    expect(pastaRunning(idle, id)).toBe(false);
    expect(idle.output()).toContain(`workspace ${id}: idle for`);

    const again = await ws.exec("cat note.txt");
    expect(again).toMatchObject({ exitCode: 0, stdout: "kept\n" });
    expect((await info(idle, id)).live).toBe(true);
    expect(hostProcessesOf(idle, id).length).toBeGreaterThan(0);
    if (root) expect(pastaRunning(idle, id)).toBe(true);
  });

  it("is not a workspace running a background process, however long nobody asks it anything", async () => {
    const busyId = uniqueId("busy");
    const busy = await idle.client.workspace(busyId);
    const process = await busy.startProcess("exec sleep 600");
    // A workspace used after it goes idle, so its stop proves the sweep has run past the busy one's idle time.
    const quietId = uniqueId("quiet");
    await (await idle.client.workspace(quietId)).exec("true");
    await waitFor(async () => !(await info(idle, quietId)).live, 15_000);
    expect((await info(idle, busyId)).live).toBe(true);
    expect((await busy.getProcess(process.id)).status).toBe("running");
    await busy.stopProcess(process.id);
  });
});

describe("the live workspace cap of a group", () => {
  it("stops the least recently used idle workspace of the group for room, and refuses with 409 when every live one is busy", async () => {
    const group = { id: uniqueId("account"), maxLive: 2 };
    const [a, b, c, d] = ["a", "b", "c", "d"].map((name) => uniqueId(`cap-${name}`));
    const other = uniqueId("cap-other");

    const first = await capped.client.workspace(a!, { group });
    const serving = await first.startProcess("exec sleep 600");
    const second = await capped.client.workspace(b!, { group });
    await second.exec("echo b > b.txt");
    // Another account's live workspace does not count.
    await (await capped.client.workspace(other, { group: { id: uniqueId("other-account"), maxLive: 1 } })).exec("true");

    const third = await capped.client.workspace(c!, { group });
    expect((await info(capped, b!)).live).toBe(false);
    expect((await info(capped, a!)).live).toBe(true);
    expect((await info(capped, other)).live).toBe(true);
    expect(capped.output()).toContain(`workspace ${b}: stopped (least recently used) to make room for ${c}`);
    const busy = await third.startProcess("exec sleep 600");

    const refused = await capped.client.workspace(d!, { group }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SandboxError);
    expect(refused).toMatchObject({ status: 409, code: "live_workspace_limit_reached" });
    expect((refused as SandboxError).message).toMatch(/2 workspaces of this account are live.*limit is 2.*raise/);
    // Coming back to a stopped workspace counts as a new live one, files kept; a raised cap admits it.
    const back = await capped.client.workspace(b!, { group: { ...group, maxLive: 3 } });
    expect((await back.exec("cat b.txt")).stdout).toBe("b\n");

    await first.stopProcess(serving.id);
    await third.stopProcess(busy.id);
  });
});

describe("POST /v1/workspaces/:id/stop", () => {
  it("ends the workspace's processes and executor, closes its previews with closePreviews, and keeps its files", async () => {
    const id = uniqueId("stop");
    const ws = await capped.client.workspace(id);
    await ws.writeFile("site/index.html", "hello");
    const server = await ws.startProcess("exec python3 -m http.server 8000 --bind 127.0.0.1 -d site");
    await ws.exposePort(8000);
    expect(await capped.client.stop(id, { closePreviews: true })).toEqual({ processesStopped: 1, previewsClosed: 1 });
    expect(await ws.getProcess(server.id)).toMatchObject({ status: "exited", reason: "stopped" });
    expect(await ws.exposedPorts()).toEqual([]);
    expect((await info(capped, id)).live).toBe(false);
    expect(hostProcessesOf(capped, id)).toEqual([]);
    expect(await ws.readFile("site/index.html")).toBe("hello");
  });

  it("is nothing to do for a workspace that does not exist", async () => {
    expect(await capped.client.stop(uniqueId("never"))).toEqual({ processesStopped: 0, previewsClosed: 0 });
  });
});
