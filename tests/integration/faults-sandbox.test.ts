import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { agentApi, type AgentApi, type LedgerAudit } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { hostPidsRunning, startSandboxd, waitFor } from "../support/sandboxd.ts";
import { signUpVerifiedUser } from "../support/users.ts";

/*
 * sandboxd dies (SIGKILL of its process group) while an agent's exec runs. The turn must end promptly with a message
 * that says the sandbox is unavailable, charge only what was done (the model steps, no sandbox time for the killed
 * command), keep the workspace's files, and work again once sandboxd is back on the same port, secret and data dir.
 */

let stack: AgentStack;
let me: AgentApi;

const total = (audit: LedgerAudit) => audit.ledger.freeMillicredits + audit.ledger.purchasedMillicredits;

beforeAll(async () => {
  stack = await startAgentStack();
  me = await agentApi(stack.worker.url, await signUpVerifiedUser(stack.worker.url));
}, 180_000);
afterAll(() => stack?.dispose());

async function restartSandboxd(): Promise<void> {
  const { port, secret, dataDir } = stack.sandboxd;
  stack.sandboxd = await startSandboxd({ port, secret, dataDir });
}

describe("sandboxd killed while an agent's command runs", () => {
  it("ends the turn with a clear 'sandbox unavailable' message, charges no sandbox time, keeps the files, and works after a restart", async () => {
    const threadId = await me.newThread();
    const wrote = await me.turn(threadId, '[[tool:write_file:{"path":"keep/before.txt","content":"written before the crash"}]]');
    expect(wrote.body.toolCalls[0]).toMatchObject({ name: "write_file", state: "output-available" });

    const before = await me.audit();
    const usageBefore = new Set((await me.usageRows()).map((row) => row.id));
    const marker = `${30 + Math.floor(Math.random() * 1000) / 1000}`;
    const started = Date.now();
    const turn = me.turn(threadId, `[[tool:exec:sleep ${marker}]]`);
    await waitFor(() => hostPidsRunning(`sleep ${marker}`).length > 0, 20_000);
    await stack.sandboxd.crash();
    const { status, body } = await turn;
    // The command would have slept 30 s: the turn ends because sandboxd went away, not because it finished.
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(status).toBe(200);
    expect(body.error).toBeUndefined();
    const exec = body.toolCalls[0]!;
    expect(exec).toMatchObject({ name: "exec", state: "output-error" });
    expect(exec.error).toMatch(/^The sandbox is unavailable: sandboxd at http:\/\/127\.0\.0\.1:\d+ could not be reached/);
    expect(exec.error).not.toMatch(/\n\s+at /);
    // The model saw the same message and answered with it.
    expect(body.text).toContain("The sandbox is unavailable");

    const after = await me.audit();
    expect(after.consistent).toBe(true);
    expect(after.openReservationsMillicredits).toBe(0);
    const newRows = (await me.usageRows()).filter((row) => !usageBefore.has(row.id));
    // Two model steps were done (the call and the answer); the killed command is not billed.
    expect(newRows.every((row) => row.model === "gpt-oss:20b" && row.sandboxMs === null)).toBe(true);
    expect(total(before) - total(after)).toBe(Math.round(-newRows.reduce((sum, row) => sum + row.amount, 0) * 1000));
    expect(Math.round(body.credits * 1000)).toBe(total(before) - total(after));

    // While sandboxd is down a turn fails fast with the same message rather than hanging.
    const down = await me.turn(threadId, "[[tool:exec:echo hello]]");
    expect(down.body.toolCalls[0]).toMatchObject({ name: "exec", state: "output-error" });
    expect(down.body.toolCalls[0]!.error).toMatch(/^The sandbox is unavailable/);
    const filesDown = await me.call<{ error: { code: string; message: string } }>(`/api/agent/${me.agentId}/files?path=keep/before.txt`);
    expect(filesDown.status).toBe(502);
    expect(filesDown.body.error).toMatchObject({ code: "sandbox_unavailable" });

    await restartSandboxd();
    const file = await me.call<string>(`/api/agent/${me.agentId}/files?path=keep/before.txt`);
    expect(file).toEqual({ status: 200, body: "written before the crash" });
    const again = await me.turn(threadId, "[[tool:exec:cat keep/before.txt && echo ok]]");
    expect(again.body.error).toBeUndefined();
    expect(again.body.toolCalls[0]).toMatchObject({ name: "exec", state: "output-available" });
    expect(again.body.toolCalls[0]!.output).toMatchObject({ exitCode: 0, stdout: "written before the crashok\n" });
    const rows = (await me.usageRows()).filter((row) => !usageBefore.has(row.id));
    expect(rows.some((row) => row.sandboxMs !== null && row.sandboxMs >= 0)).toBe(true);
    expect((await me.audit()).openReservationsMillicredits).toBe(0);
  });
});
