import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { RESERVATION_TTL_MS } from "../../src/lib/billing/rules.ts";
import { SIMULATED_TODAYS, startOfNextMonth } from "../support/simulated-today.ts";
import { startTestWorker, type TestWorker } from "../support/worker.ts";
import { apiRequest } from "../support/http.ts";

interface Balance {
  freeMillicredits: number;
  purchasedMillicredits: number;
  reservedMillicredits: number;
  totalMillicredits: number;
  availableMillicredits: number;
}
interface Reservation {
  id: string;
  accountId: string;
  amountMillicredits: number;
  expiresAt: number;
}
interface PairsOutcome {
  refused: number;
  failed: number;
  completed: number[];
  batches: number;
  sent: number;
}
interface Transaction {
  kind: string;
  bucket: string;
  amount: number;
  balanceAfter: number;
}

/** The ledger test hook; every call carries the simulated time it happens at, so no call reads the real clock. */
function ledgerClient(baseUrl: () => string) {
  const call = async (body: object, now: string) => {
    const answer = await apiRequest(baseUrl(), undefined, "/api/test/ledger", { method: "POST", body, now });
    return { status: answer.status, body: answer.body };
  };
  const ok = async <T>(body: object, now: string): Promise<T> => {
    const result = await call(body, now);
    if (result.status !== 200) throw new Error(`${JSON.stringify(body)} -> ${result.status} ${JSON.stringify(result.body)}`);
    return result.body as T;
  };
  return {
    call,
    ok,
    async account(kind: "personal" | "team" = "personal"): Promise<string> {
      const response = await fetch(`${baseUrl()}/api/test/accounts`, {
        method: "POST",
        body: JSON.stringify({ kind, name: "ledger test" }),
      });
      return ((await response.json()) as { id: string }).id;
    },
    balance: (accountId: string, now: string) => ok<Balance>({ action: "balance", accountId }, now),
    reserve: (accountId: string, maxCost: number, now: string) => ok<Reservation>({ action: "reserve", accountId, maxCost }, now),
    settle: (reservation: Reservation, actualCost: number, now: string) =>
      ok<{ chargedMillicredits: number }>({ action: "settle", reservation, actualCost }, now),
    release: (reservation: Reservation, now: string) => ok({ action: "release", reservation }, now),
    spend: (accountId: string, cost: number, now: string) => call({ action: "spend", accountId, maxCost: cost, actualCost: cost }, now),
    grant: (accountId: string, amount: number, now: string, idempotencyKey?: string) =>
      ok<{ granted: boolean }>({ action: "grant", accountId, amount, idempotencyKey }, now),
    audit: (accountId: string, now: string) =>
      ok<{ consistent: boolean; ledger: { freeMillicredits: number; purchasedMillicredits: number } }>({ action: "audit", accountId }, now),
    transactions: async (accountId: string, now: string) =>
      (await ok<{ transactions: Transaction[] }>({ action: "transactions", accountId }, now)).transactions,
  };
}

describe.each(SIMULATED_TODAYS)("the credits ledger against the real Worker and D1, on %s", (today) => {
  const ledger = ledgerClient(() => inject("workerUrl"));
  // "This month" is the simulated today's; "next month" starts a second after its boundary.
  const NOV = today;
  const DEC = startOfNextMonth(today);

  it("grants a personal account 50 free credits once at its first use in a month, whatever the races", async () => {
    const id = await ledger.account();
    const balances = await Promise.all(Array.from({ length: 20 }, () => ledger.balance(id, NOV)));
    expect(new Set(balances.map((b) => b.freeMillicredits))).toEqual(new Set([50_000]));
    const grants = (await ledger.transactions(id, NOV)).filter((t) => t.kind === "monthly_grant");
    expect(grants).toHaveLength(1);
    expect(grants[0]).toMatchObject({ bucket: "free", amount: 50, balanceAfter: 50 });
  });

  it("expires unused free credits at the month boundary and grants 50 again, once, under concurrent first requests", async () => {
    const id = await ledger.account();
    expect((await ledger.spend(id, 12_500, NOV)).status).toBe(200);
    await ledger.grant(id, 7_000, NOV);
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger.balance(id, DEC)));
    expect(new Set(results.map((b) => `${b.freeMillicredits}/${b.purchasedMillicredits}`))).toEqual(new Set(["50000/7000"]));
    const kinds = (await ledger.transactions(id, DEC)).map((t) => `${t.kind}:${t.amount}`);
    expect(kinds.filter((k) => k.startsWith("monthly_expiry"))).toEqual(["monthly_expiry:-37.5"]);
    expect(kinds.filter((k) => k.startsWith("monthly_grant"))).toHaveLength(2);
    expect((await ledger.audit(id, DEC)).consistent).toBe(true);
  });

  it("never grants an earlier month after a later one (a clock set back)", async () => {
    const id = await ledger.account();
    await ledger.balance(id, DEC);
    await ledger.balance(id, NOV);
    expect((await ledger.transactions(id, NOV)).filter((t) => t.kind === "monthly_grant")).toHaveLength(1);
  });

  it("spends free credits before purchased ones, and purchased credits never expire", async () => {
    const id = await ledger.account();
    await ledger.balance(id, NOV);
    await ledger.grant(id, 100_000, NOV);
    expect((await ledger.spend(id, 60_000, NOV)).status).toBe(200);
    const usage = (await ledger.transactions(id, NOV)).filter((t) => t.kind === "usage");
    expect(usage.map((t) => `${t.bucket}:${t.amount}`).sort()).toEqual(["free:-50", "purchased:-10"]);
    const december = await ledger.balance(id, DEC);
    expect(december).toMatchObject({ freeMillicredits: 50_000, purchasedMillicredits: 90_000 });
  });

  it("gives teams no free allowance and refuses their spending with a clear out-of-credits error", async () => {
    const id = await ledger.account("team");
    expect(await ledger.balance(id, NOV)).toMatchObject({ freeMillicredits: 0, totalMillicredits: 0 });
    const refused = await ledger.spend(id, 1, NOV);
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ error: { code: "insufficient_credits", balance: 0, buyUrl: "/billing" } });
    expect((refused.body as { error: { message: string } }).error.message).toMatch(/out of credits/i);
    expect(await ledger.transactions(id, NOV)).toEqual([]);
  });

  it("settles to the real cost, never above the reservation, only once, and releases what was not used", async () => {
    const id = await ledger.account();
    const held = await ledger.reserve(id, 3_000, NOV);
    expect(await ledger.balance(id, NOV)).toMatchObject({ reservedMillicredits: 3_000, availableMillicredits: 47_000 });
    expect(await ledger.settle(held, 1_200, NOV)).toEqual({ chargedMillicredits: 1_200 });
    expect(await ledger.settle(held, 1_200, NOV)).toEqual({ chargedMillicredits: 1_200 });
    expect(await ledger.balance(id, NOV)).toMatchObject({ freeMillicredits: 48_800, reservedMillicredits: 0 });

    const capped = await ledger.reserve(id, 1_000, NOV);
    expect(await ledger.settle(capped, 9_999, NOV)).toEqual({ chargedMillicredits: 1_000 });

    const failed = await ledger.reserve(id, 5_000, NOV);
    await ledger.release(failed, NOV);
    await ledger.release(failed, NOV);
    expect(await ledger.balance(id, NOV)).toMatchObject({ freeMillicredits: 47_800, reservedMillicredits: 0 });
    expect((await ledger.audit(id, NOV)).consistent).toBe(true);
  });

  it("keeps the balance equal to the ledger under 500 concurrent reserve+settle pairs, refusing exactly what it cannot cover", async () => {
    const id = await ledger.account();
    await ledger.balance(id, NOV);
    await ledger.grant(id, 50_000, NOV);
    const cost = 250;
    const outcomes = await Promise.all(Array.from({ length: 500 }, () => ledger.spend(id, cost, NOV)));
    const statuses = outcomes.map((o) => o.status);
    expect(statuses.filter((s) => s !== 200 && s !== 402)).toEqual([]);
    // 100,000 milli-credits cover exactly 400 steps of 250.
    expect(statuses.filter((s) => s === 200)).toHaveLength(400);
    expect(statuses.filter((s) => s === 402)).toHaveLength(100);
    const final = await ledger.balance(id, NOV);
    expect(final).toMatchObject({ totalMillicredits: 0, reservedMillicredits: 0 });
    const audit = await ledger.audit(id, NOV);
    expect(audit.consistent).toBe(true);
    expect(audit.ledger).toEqual({ freeMillicredits: 0, purchasedMillicredits: 0 });
  });

  it("refuses no neighbour of a refused reservation when concurrent batches share one D1 transaction", async () => {
    const poor = await ledger.account("team");
    const rich = await ledger.account("team");
    await ledger.grant(poor, 10 * 250, NOV);
    await ledger.grant(rich, 1_000 * 250, NOV);
    const outcome = await ledger.ok<PairsOutcome>(
      { action: "pairs", accountIds: [poor, rich], pairs: 200, concurrency: 16, maxCost: 250, actualCost: 250, grouped: true },
      NOV,
    );
    // The batches were grouped: far fewer reached D1 than the pairs asked for.
    expect(outcome.sent).toBeLessThan(outcome.batches / 2);
    expect(outcome.failed).toBe(0);
    expect(outcome.completed).toEqual([10, 100]);
    expect(outcome.refused).toBe(90);
    expect(await ledger.balance(poor, NOV)).toMatchObject({ totalMillicredits: 0, reservedMillicredits: 0 });
    expect(await ledger.balance(rich, NOV)).toMatchObject({ totalMillicredits: 900 * 250, reservedMillicredits: 0 });
    for (const id of [poor, rich]) expect((await ledger.audit(id, NOV)).consistent).toBe(true);
  });

  it("grants a purchase once per idempotency key, however often it is repeated", async () => {
    const id = await ledger.account("team");
    const results = await Promise.all(Array.from({ length: 10 }, () => ledger.grant(id, 500_000, NOV, `stripe:checkout:cs_test_${NOV}`)));
    expect(results.filter((r) => r.granted)).toHaveLength(1);
    expect(await ledger.balance(id, NOV)).toMatchObject({ purchasedMillicredits: 500_000 });
  });

  it("refuses an adjustment that would make the balance negative and changes nothing", async () => {
    const id = await ledger.account("team");
    await ledger.grant(id, 1_000, NOV);
    const refused = await ledger.call({ action: "grant", accountId: id, amount: -2_000 }, NOV);
    expect(refused.status).toBe(400);
    expect(await ledger.balance(id, NOV)).toMatchObject({ purchasedMillicredits: 1_000 });
    expect((await ledger.transactions(id, NOV)).map((t) => t.kind)).toEqual(["purchase"]);
  });

  it("rejects malformed amounts with a clear 400", async () => {
    const id = await ledger.account();
    const fractional = await ledger.call({ action: "reserve", accountId: id, maxCost: 1.5 }, NOV);
    expect(fractional.status).toBe(400);
    const unknownAccount = await ledger.call({ action: "balance", accountId: "nope" }, NOV);
    expect(unknownAccount.status).toBe(404);
  });
});

describe.each(SIMULATED_TODAYS)("a crash between reserve and settle, on %s", (today) => {
  let worker: TestWorker;
  beforeAll(async () => (worker = await startTestWorker()));
  afterAll(() => worker.dispose());

  it("leaves a reservation that the cron trigger releases once it has expired", async () => {
    const ledger = ledgerClient(() => worker.url);
    const id = await ledger.account();
    const held = await ledger.reserve(id, 4_000, today);
    expect(held.expiresAt).toBe(Date.parse(today) + RESERVATION_TTL_MS);
    await worker.kill();
    await worker.restart();

    expect(await ledger.balance(id, today)).toMatchObject({ reservedMillicredits: 4_000, availableMillicredits: 46_000 });
    const early = await worker.fetch(`/cdn-cgi/local/scheduled?time=${held.expiresAt - 1}`);
    expect(early.status).toBe(200);
    expect(await ledger.balance(id, today)).toMatchObject({ reservedMillicredits: 4_000 });

    const late = await worker.fetch(`/cdn-cgi/local/scheduled?time=${held.expiresAt + 1}`);
    expect(late.status).toBe(200);
    expect(await ledger.balance(id, today)).toMatchObject({ reservedMillicredits: 0, availableMillicredits: 50_000 });
    expect((await ledger.audit(id, today)).consistent).toBe(true);
  });
});
