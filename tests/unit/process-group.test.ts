import { describe, expect, it } from "vitest";
import { LogTail, spawnGroup, stopRunningGroups } from "../../scripts/lib/process-group.ts";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function childPids(group: ReturnType<typeof spawnGroup>, count: number): Promise<number[]> {
  let out = "";
  group.child.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const pids = out.split(/\s+/).filter(Boolean).map(Number);
    if (pids.length >= count) return pids;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`expected ${count} pids, got: ${out}`);
}

describe("process groups", () => {
  it("stops a command and every child it spawned", async () => {
    const group = spawnGroup("sh", ["-c", "sleep 60 & echo $!; sleep 60 & echo $!; wait"]);
    const pids = await childPids(group, 2);
    expect(pids.every(alive)).toBe(true);
    await group.stop();
    expect(pids.filter(alive)).toEqual([]);
  });

  it("kills a group that ignores SIGTERM", async () => {
    const group = spawnGroup("sh", ["-c", "trap '' TERM; sleep 60 & echo $!; wait"]);
    const [pid] = await childPids(group, 1);
    await group.stop(300);
    expect(alive(pid!)).toBe(false);
  });
});

describe("log tail", () => {
  it("keeps only the last lines, joining chunks split mid-line", () => {
    const tail = new LogTail(2);
    tail.push("one\ntw");
    tail.push("o\nthree\nfou");
    expect(tail.lines()).toEqual(["two", "three", "fou"]);
  });
});

describe("the clean-up of a test file", () => {
  it("stops every group still running that nobody stopped, children included", async () => {
    const forgotten = spawnGroup("sh", ["-c", "sleep 60 & echo $!; wait"]);
    const [child] = await childPids(forgotten, 1);
    const stopped = spawnGroup("sh", ["-c", "sleep 60"]);
    await stopped.stop();
    expect(await stopRunningGroups()).toBe(1);
    expect(alive(child!)).toBe(false);
    expect(alive(forgotten.pid)).toBe(false);
  });
});
