import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AgentApi, agentApi, eventually } from "../support/agent-api.ts";
import { type AgentStack, startAgentStack } from "../support/agent-stack.ts";
import { rawRequest } from "../support/http.ts";
import { signUpVerifiedUser, type TestUser } from "../support/users.ts";

/*
 * Background processes are billed for the CPU time their cgroups report, by the cron, exactly once; an account that
 * cannot pay has its processes stopped with a line in their logs and its previews paused until it can.
 */

let stack: AgentStack;
let me: AgentApi;
let user: TestUser;

type Row = { reason: string; sandboxMs: number | null; amount: number; model: string | null };
type Process = { id: string; status: string; reason: string | null };

const backgroundRows = async () =>
  (await me.call<{ transactions: Row[] }>("/api/credits/transactions?kind=usage&limit=200")).body.transactions.filter(
    (row) => row.reason === "Background process CPU time",
  );

async function runCron(): Promise<void> {
  const response = await stack.worker.fetch(`/cdn-cgi/local/scheduled?time=${Date.now()}`);
  expect(response.status).toBe(200);
}

async function writeFile(path: string, text: string): Promise<void> {
  const written = await me.call(`/api/agent/${me.agentId}/files?path=${encodeURIComponent(path)}`, { method: "PUT", body: text });
  expect(written.status).toBeLessThan(300);
}

async function startProcess(command: string): Promise<Process> {
  const started = await me.call<Process>(`/api/agent/${me.agentId}/processes`, { method: "POST", body: JSON.stringify({ command }) });
  expect(started.status).toBe(201);
  return started.body;
}

const processOf = async (id: string) => (await me.call<Process>(`/api/agent/${me.agentId}/processes/${id}`)).body;
const logsOf = async (id: string) =>
  (await fetch(`${stack.worker.url}/api/agent/${me.agentId}/processes/${id}/logs`, { headers: user.headers() })).text();

/** The workspace's CPU counters as sandboxd reports them. */
async function observed(): Promise<{ backgroundCpuMs: number; commandCpuMs: number }> {
  const usage = await stack.sandboxd.client.usage();
  return usage.find((u) => u.id === me.agentId) ?? { backgroundCpuMs: 0, commandCpuMs: 0 };
}

beforeAll(async () => {
  stack = await startAgentStack();
  user = await signUpVerifiedUser(stack.worker.url);
  me = await agentApi(stack.worker.url, user);
}, 180_000);
afterAll(() => stack?.dispose());

describe("background processes' CPU time", () => {
  it("bills a busy process the CPU time its cgroup reports, once, and a sleeping one next to nothing", async () => {
    await writeFile(
      "busy.py",
      "import time\nt = time.process_time()\nwhile time.process_time() - t < 1.5: pass\nprint('cpu', time.process_time())\n",
    );
    const before = await me.credits();
    const busy = await startProcess("python3 busy.py");
    const idle = await startProcess("sleep 2");
    // Starting holds one increment ahead for the workspace (5 CPU-minutes on two CPUs: 2 credits), once.
    expect((await me.credits()).reserved - before.reserved).toBeCloseTo(2, 6);
    for (const id of [busy.id, idle.id]) await eventually(async () => (await processOf(id)).status === "exited", 30_000, `${id} to exit`);
    const reported = Number(/cpu ([\d.]+)/.exec(await logsOf(busy.id))?.[1]) * 1000;
    expect(reported).toBeGreaterThanOrEqual(1500);

    await runCron();
    const rows = await backgroundRows();
    expect(rows).toHaveLength(1);
    const billedMs = rows[0]!.sandboxMs!;
    // The process's own CPU time, plus its interpreter's start-up and the sleeping process's few milliseconds.
    expect(billedMs).toBeGreaterThanOrEqual(reported);
    expect(billedMs).toBeLessThan(reported * 1.1);
    expect(-rows[0]!.amount).toBeCloseTo(Math.ceil((billedMs * 200) / 60_000) / 1000, 6);
    // What sandboxd observed is what was billed; a second cron bills nothing more.
    expect((await observed()).backgroundCpuMs).toBe(billedMs);
    await runCron();
    expect(await backgroundRows()).toHaveLength(1);
    // Nothing runs any more: nothing stays held.
    expect((await me.credits()).reserved).toBe(before.reserved);
    expect((await me.audit()).consistent).toBe(true);
  }, 90_000);

  it("reconciles: the CPU time sandboxd observed is the CPU time billed, over exec, a template install, git and background work", async () => {
    const exec = (command: string) =>
      me.call<{ exitCode: number; cpuMs: number }>(`/api/agent/${me.agentId}/exec`, { method: "POST", body: JSON.stringify({ command }) });
    expect((await exec("python3 -c 'sum(range(3_000_000))'")).body.exitCode).toBe(0);
    expect((await exec("git init -q -b main repo && echo hi > repo/a.txt")).body.exitCode).toBe(0);
    const commit = await me.call<{ exitCode: number }>(`/api/agent/${me.agentId}/git/commit`, {
      method: "POST",
      body: JSON.stringify({ dir: "repo", message: "first" }),
    });
    expect(commit.body.exitCode).toBe(0);
    // git status and diff answer no exec result: their CPU time is billed by the cron with background work.
    expect((await me.call(`/api/agent/${me.agentId}/git/status?dir=repo`)).status).toBe(200);
    expect((await me.call(`/api/agent/${me.agentId}/git/diff?dir=repo`)).status).toBe(200);
    const worker = await startProcess("python3 -c 'sum(range(5_000_000))'");
    await eventually(async () => (await processOf(worker.id)).status === "exited", 30_000, "the process to exit");
    // A template: its packages come from the shared store (no command runs), its dev server is a background process.
    const applied = await fetch(`${stack.worker.url}/api/agent/${me.agentId}/template`, {
      method: "POST",
      headers: user.headers({ "content-type": "application/json" }),
      body: JSON.stringify({ template: "vue-vite", dir: "site" }),
    });
    const progress = await applied.text();
    expect(progress, progress.slice(-2000)).toContain('"type":"ready"');
    const { processes } = (await me.call<{ processes: Process[] }>(`/api/agent/${me.agentId}/processes`)).body;
    for (const running of processes.filter((p) => p.status === "running")) {
      await me.call(`/api/agent/${me.agentId}/processes/${running.id}`, { method: "DELETE" });
    }
    await runCron();

    const rows = (await me.call<{ transactions: Row[] }>("/api/credits/transactions?kind=usage&limit=200")).body.transactions;
    const billed = rows.filter((row) => row.model === null).reduce((sum, row) => sum + (row.sandboxMs ?? 0), 0);
    const { backgroundCpuMs, commandCpuMs } = await observed();
    expect(commandCpuMs).toBeGreaterThan(0);
    // Every millisecond sandboxd counted for a command, a process or a git look is in the ledger.
    expect(billed).toBe(backgroundCpuMs + commandCpuMs);
    expect((await me.audit()).consistent).toBe(true);
  }, 240_000);

  it("stops the processes of an account that cannot pay, says so in their logs, and pauses its previews until it can", async () => {
    const server = await startProcess("python3 -m http.server 8090 --bind 127.0.0.1");
    const exposed = await me.call<{ url: string }>(`/api/agent/${me.agentId}/ports`, {
      method: "POST",
      body: JSON.stringify({ port: 8090 }),
    });
    expect(exposed.status).toBeLessThan(300);
    // fetch cannot set Host: a raw request to the Worker for the preview's host.
    const preview = () => rawRequest(`${stack.worker.url}/`, { headers: { host: new URL(exposed.body.url).host } });
    await eventually(async () => (await preview()).status === 200, 20_000, "the preview to serve");

    // The account spends everything it has beside what the server holds ahead: once the server's CPU is paid from
    // that, the next increment cannot be held.
    const available = Math.round((await me.credits()).available * 1000);
    const spent = await fetch(`${stack.worker.url}/api/test/ledger`, {
      method: "POST",
      body: JSON.stringify({ action: "spend", accountId: me.accountId, maxCost: available, actualCost: available }),
    });
    expect(spent.status).toBe(200);
    await runCron();

    const stopped = await processOf(server.id);
    expect(stopped.status).toBe("exited");
    expect(stopped.reason).toContain("out of credits");
    expect(await logsOf(server.id)).toContain("[netM8] stopped: the account is out of credits");
    const paused = await preview();
    expect(paused.status).toBe(402);
    expect(paused.body).toContain("out of credits");
    // Nor does a new process start: it cannot hold its first increment.
    const refused = await me.call<{ error: { code: string; message: string } }>(`/api/agent/${me.agentId}/processes`, {
      method: "POST",
      body: JSON.stringify({ command: "sleep 60" }),
    });
    expect(refused.status).toBe(402);
    expect(refused.body.error.message).toContain("holds 2 credits ahead");

    // Credits again: the preview page is no longer the pause page (the server itself was stopped: 502 until restarted).
    const granted = await fetch(`${stack.worker.url}/api/test/ledger`, {
      method: "POST",
      body: JSON.stringify({ action: "grant", accountId: me.accountId, amount: 5000 }),
    });
    expect(granted.status).toBe(200);
    const files = await me.call(`/api/agent/${me.agentId}/files?path=busy.py`);
    expect(files.status).toBe(200);
    expect((await preview()).status).toBe(502);
  }, 90_000);
});
