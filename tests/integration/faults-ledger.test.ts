import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testWorkerConfig } from "../../scripts/lib/build.ts";
import { RESERVATION_TTL_MS } from "../../src/lib/billing/rules.ts";
import { BIN, ROOT, toolEnv } from "../../scripts/lib/paths.ts";
import { agentApi, type AgentApi, type LedgerAudit } from "../support/agent-api.ts";
import { startAgentStack, type AgentStack } from "../support/agent-stack.ts";
import { shifted, SIMULATED_TODAYS } from "../support/simulated-today.ts";
import { signUpVerifiedUser } from "../support/users.ts";
import { apiRequest } from "../support/http.ts";

/*
 * A real D1 write failure in the middle of a charge: a SQLite trigger, created in the test Worker's local database
 * while workerd holds it open, aborts the insert of a usage ledger row, so the settle batch fails inside SQLite
 * itself. The ledger must keep no part of that batch (no usage row, no balance change, the reservation still open
 * and counted), the cron must later release the orphaned reservation, and once the fault is gone charges work.
 */

let stack: AgentStack;
let me: AgentApi;

const total = (audit: LedgerAudit) => audit.ledger.freeMillicredits + audit.ledger.purchasedMillicredits;

async function d1(sql: string): Promise<void> {
  const args = [
    "d1",
    "execute",
    "DB",
    "--local",
    "--persist-to",
    stack.worker.persistTo,
    "--config",
    await testWorkerConfig(),
    "--command",
    sql,
  ];
  const result = spawnSync(join(BIN, "wrangler"), args, { cwd: ROOT, env: toolEnv({ CI: "true" }), encoding: "utf8" });
  if (result.status !== 0) throw new Error(`wrangler d1 execute failed:\n${result.stdout}\n${result.stderr}`);
}

const failUsageRows = (accountId: string) =>
  d1(
    `CREATE TRIGGER fault_usage_row BEFORE INSERT ON ledger_entry WHEN NEW.kind = 'usage' AND NEW.account_id = '${accountId}' ` +
      `BEGIN SELECT RAISE(ABORT, 'injected write failure'); END;`,
  );
const healUsageRows = () => d1("DROP TRIGGER IF EXISTS fault_usage_row;");

async function ledger<T = Record<string, unknown>>(body: object, now: string): Promise<{ status: number; body: T }> {
  const answer = await apiRequest<T>(stack.worker.url, undefined, "/api/test/ledger", { method: "POST", body, now });
  return { status: answer.status, body: answer.body };
}

async function runCronAt(time: number): Promise<void> {
  const response = await stack.worker.fetch(`/cdn-cgi/local/scheduled?time=${time}`);
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  stack = await startAgentStack();
  me = await agentApi(stack.worker.url, await signUpVerifiedUser(stack.worker.url));
}, 180_000);
afterAll(async () => {
  await healUsageRows().catch(() => {});
  await stack?.dispose();
});

describe("a D1 write that fails in the middle of a charge", () => {
  it.each(SIMULATED_TODAYS)(
    "keeps no part of the failed settle: no usage row, no balance change, the reservation whole until the cron releases it (on %s)",
    async (today) => {
      // The month's allowance is granted first, so the failed charge below is the only change attempted.
      expect((await ledger({ action: "balance", accountId: me.accountId }, today)).status).toBe(200);
      const before = await me.audit();
      expect(before.consistent).toBe(true);
      const usageBefore = (await me.usageRows()).length;
      await failUsageRows(me.accountId);
      try {
        const failed = await ledger<{ error: { code: string; message: string } }>(
          { action: "spend", accountId: me.accountId, maxCost: 4_000, actualCost: 1_500 },
          today,
        );
        expect(failed.status).toBe(500);
        expect(failed.body.error.code).toBe("internal");
        expect(failed.body.error.message).not.toMatch(/injected|SQLITE|\n\s+at /);

        const after = await me.audit();
        expect(after.consistent).toBe(true);
        expect(after.ledger).toEqual(before.ledger);
        // The reserve batch committed and the settle batch did not: the reservation is still held, whole.
        expect(after.openReservationsMillicredits).toBe(4_000);
        expect(after.cached.reservedMillicredits).toBe(4_000);
        expect((await me.usageRows()).length).toBe(usageBefore);
      } finally {
        await healUsageRows();
      }

      await runCronAt(Date.parse(today));
      expect((await me.audit()).openReservationsMillicredits).toBe(4_000);
      await runCronAt(Date.parse(shifted(today, RESERVATION_TTL_MS + 60_000)));
      const released = await me.audit();
      expect(released.consistent).toBe(true);
      expect(released.openReservationsMillicredits).toBe(0);
      expect(total(released)).toBe(total(before));

      const retried = await ledger<{ chargedMillicredits: number }>(
        { action: "spend", accountId: me.accountId, maxCost: 4_000, actualCost: 1_500 },
        shifted(today, RESERVATION_TTL_MS + 60_000),
      );
      expect(retried).toEqual({ status: 200, body: { chargedMillicredits: 1_500 } });
      const charged = await me.audit();
      expect(charged.consistent).toBe(true);
      expect(total(released) - total(charged)).toBe(1_500);
      expect(charged.openReservationsMillicredits).toBe(0);
    },
  );

  it("fails only the charge that cannot be written when concurrent batches share one D1 transaction", async () => {
    const today = SIMULATED_TODAYS[0];
    const broken = me.accountId;
    const created = await stack.worker.fetch("/api/test/accounts", {
      method: "POST",
      body: JSON.stringify({ kind: "team", name: "neighbour" }),
    });
    const healthy = ((await created.json()) as { id: string }).id;
    for (const accountId of [broken, healthy]) {
      expect((await ledger({ action: "grant", accountId, amount: 100_000 }, today)).status).toBe(200);
    }
    const before = await me.audit();
    const usageBefore = (await me.usageRows()).length;
    await failUsageRows(broken);
    let outcome: { failed: number; refused: number; completed: number[]; splitGroups: number; sent: number; batches: number };
    try {
      const answer = await ledger<typeof outcome>(
        { action: "pairs", accountIds: [broken, healthy], pairs: 40, concurrency: 16, maxCost: 300, actualCost: 200, grouped: true },
        today,
      );
      expect(answer.status).toBe(200);
      outcome = answer.body;
    } finally {
      await healUsageRows();
    }
    // Groups holding a failing charge were sent again one batch at a time: every healthy pair went through.
    expect(outcome.splitGroups).toBeGreaterThan(0);
    expect(outcome.completed).toEqual([0, 20]);
    expect(outcome.failed).toBe(20);
    expect(outcome.refused).toBe(0);
    const healthyAudit = await ledger<LedgerAudit>({ action: "audit", accountId: healthy }, today);
    expect(healthyAudit.body.consistent).toBe(true);
    expect(healthyAudit.body.ledger.purchasedMillicredits).toBe(100_000 - 20 * 200);
    expect(healthyAudit.body.openReservationsMillicredits).toBe(0);
    // The broken account kept no part of its failed charges: its reservations stay held, whole, for the cron.
    const brokenAudit = await me.audit();
    expect(brokenAudit.consistent).toBe(true);
    expect(brokenAudit.ledger).toEqual(before.ledger);
    expect(brokenAudit.openReservationsMillicredits - before.openReservationsMillicredits).toBe(20 * 300);
    expect((await me.usageRows()).length).toBe(usageBefore);
    await runCronAt(Date.parse(shifted(today, RESERVATION_TTL_MS + 60_000)));
    expect((await me.audit()).openReservationsMillicredits).toBe(0);
  });

  it("ends an agent turn whose charge cannot be written with a clear message, without a partial ledger row, and charges the next turn normally", async () => {
    const threadId = await me.newThread();
    const before = await me.audit();
    const usageBefore = (await me.usageRows()).length;
    await failUsageRows(me.accountId);
    let failed: Awaited<ReturnType<AgentApi["turn"]>>;
    try {
      failed = await me.turn(threadId, "hello while the database fails");
    } finally {
      await healUsageRows();
    }
    expect(failed.status).toBe(200);
    expect(failed.body.error).toBeDefined();
    expect(failed.body.error).not.toMatch(/injected|SQLITE|D1_ERROR|\n\s+at /);
    expect(failed.body.error).toMatch(/could not be recorded|not charged/i);

    const after = await me.audit();
    expect(after.consistent).toBe(true);
    expect(after.ledger).toEqual(before.ledger);
    expect((await me.usageRows()).length).toBe(usageBefore);
    // The failed settle changed nothing, and the turn gave the step's reservation back at once.
    expect(after.openReservationsMillicredits).toBe(0);
    expect((await me.credits()).reserved).toBe(0);
    expect(failed.body.credits).toBe(0);

    const retried = await me.turn(threadId, "and now?");
    expect(retried.body.error).toBeUndefined();
    expect(retried.body.text).toBe("Echo: and now?");
    const charged = await me.audit();
    expect(charged.consistent).toBe(true);
    expect(charged.openReservationsMillicredits).toBe(0);
    expect(total(after) - total(charged)).toBe(Math.round(retried.body.credits * 1000));
    expect(retried.body.credits).toBeGreaterThan(0);
  });
});
