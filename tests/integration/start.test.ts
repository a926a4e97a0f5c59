import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/free-port.ts";
import { BIN, ROOT, toolEnv } from "../../scripts/lib/paths.ts";
import { spawnGroup, type GroupProcess } from "../../scripts/lib/process-group.ts";

interface Started {
  supervisor: GroupProcess;
  output: () => string;
  port: number;
  stateDir: string;
}

// Recorded as soon as it spawns, so cleanup stops it even if the test times out while it starts.
let launched: { supervisor: GroupProcess; stateDir: string } | undefined;

async function startPlatform(): Promise<Started> {
  const port = await freePort();
  const stateDir = mkdtempSync(join(tmpdir(), "netm8-start-"));
  const supervisor = spawnGroup(join(BIN, "node"), ["scripts/start.ts"], {
    cwd: ROOT,
    env: toolEnv({ PORT: String(port), STATE_DIR: stateDir }),
  });
  launched = { supervisor, stateDir };
  let output = "";
  supervisor.child.stdout!.on("data", (c: Buffer) => (output += c.toString()));
  supervisor.child.stderr!.on("data", (c: Buffer) => (output += c.toString()));
  const deadline = Date.now() + 280_000;
  while (!output.includes("is running at")) {
    if (Date.now() > deadline || supervisor.child.exitCode !== null) throw new Error(`npm start did not come up:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { supervisor, output: () => output, port, stateDir };
}

/** Processes whose command line mentions the state directory or the port: what this start launched. */
function leftovers(started: Started): string[] {
  const table = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return table
    .split("\n")
    .filter((line) => (line.includes(started.stateDir) || line.includes(`--port ${started.port}`)) && !line.includes("ps -eo"));
}

async function waitForNoLeftovers(started: Started): Promise<string[]> {
  const deadline = Date.now() + 15_000;
  let left = leftovers(started);
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = leftovers(started);
  }
  return left;
}

// npm start may have to build first, which takes minutes on a busy machine.
describe("npm start's supervisor", { timeout: 300_000 }, () => {
  let started: Started | undefined;
  afterEach(async () => {
    if (launched) {
      // SIGTERM, so the supervisor stops its children (they run in process groups of their own).
      await launched.supervisor.stop(30_000);
      rmSync(launched.stateDir, { recursive: true, force: true });
      launched = undefined;
    }
    started = undefined;
  });

  it("serves the app and leaves nothing running after Ctrl-C", async () => {
    started = await startPlatform();
    const landing = await fetch(`http://127.0.0.1:${started.port}/`);
    expect(landing.status).toBe(200);
    expect(leftovers(started).length).toBeGreaterThan(0);
    // Secrets reach the Worker through a private file, never a command line that every user of the host can read.
    expect(leftovers(started).filter((line) => /SANDBOXD_SECRET|--var /.test(line))).toEqual([]);
    // The auth secret and the secrets key are random for this state directory, readable by this user only.
    const secrets = join(started.stateDir, "dev-secrets.json");
    expect(statSync(secrets).mode & 0o777).toBe(0o600);
    expect(Object.keys(JSON.parse(readFileSync(secrets, "utf8")) as object).sort()).toEqual(["BETTER_AUTH_SECRET", "SECRETS_KEY"]);

    process.kill(-started.supervisor.pid, "SIGINT");
    expect(await started.supervisor.exited).toBe(0);
    expect(await waitForNoLeftovers(started)).toEqual([]);
  });

  it("stops everything and exits non-zero with the dead child's last lines when a child dies", async () => {
    started = await startPlatform();
    const sandboxdPid = Number(/started sandboxd \(pid (\d+)\)/.exec(started.output())?.[1]);
    expect(sandboxdPid).toBeGreaterThan(0);

    process.kill(-sandboxdPid, "SIGKILL");
    expect(await started.supervisor.exited).toBe(1);
    expect(started.output()).toMatch(/sandboxd exited unexpectedly[\s\S]*Its last lines:\n {2}\S/);
    expect(await waitForNoLeftovers(started)).toEqual([]);
  });
});
