import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestWorker, type TestWorker } from "../support/worker.ts";

function processesUsing(dir: string): string[] {
  const table = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return table.split("\n").filter((line) => line.includes(dir) && !line.includes("ps -eo"));
}

describe("local state across a crash of the runtime", () => {
  let worker: TestWorker;
  beforeAll(async () => (worker = await startTestWorker()));
  afterAll(() => worker.dispose());

  it("keeps D1, KV and Durable Object state after wrangler is SIGKILLed and restarted", async () => {
    const value = `survives-${crypto.randomUUID()}`;
    const written = await worker.fetch("/api/dev/probe", { method: "POST", body: JSON.stringify({ key: "crash", value }) });
    expect(written.status).toBe(200);

    await worker.kill();
    expect(processesUsing(worker.persistTo)).toEqual([]);
    await expect(worker.fetch("/api/health/live")).rejects.toThrow();

    await worker.restart();
    const read = await worker.fetch("/api/dev/probe?key=crash");
    expect(await read.json()).toEqual({ d1: value, kv: value, agent: value });
  });
});
